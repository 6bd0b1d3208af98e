// Integration tests: real Redis at REDIS_URL (default redis://127.0.0.1:6379).
module.exports = {
  displayName: 'aggregation:integration',
  preset: '../../jest.preset.js',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testMatch: ['<rootDir>/src/**/*.int.spec.ts'],
};
