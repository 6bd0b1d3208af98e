// Integration tests: real Redis at REDIS_URL (the stream sink), under a test prefix of their own.
module.exports = {
  displayName: 'producer:integration',
  preset: '../../jest.preset.js',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testMatch: ['<rootDir>/src/**/*.int.spec.ts'],
  testTimeout: 30_000,
};
