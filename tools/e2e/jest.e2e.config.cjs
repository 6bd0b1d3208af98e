// End-to-end: the built apps (dist/apps/*/main.js) as real processes, a real FIFO, the real
// Redis at REDIS_URL. Run with `npx nx e2e e2e` (builds the apps first).
module.exports = {
  displayName: 'e2e',
  preset: '../../jest.preset.js',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  // Every answer from an api a spec started (and watched) is checked against its OpenAPI file.
  setupFilesAfterEnv: ['<rootDir>/src/support/contract-setup.ts'],
  testMatch: ['<rootDir>/src/**/*.e2e.spec.ts'],
  testTimeout: 60_000,
  // One spec at a time: they start real processes from the same dist/ and free ports.
  maxWorkers: 1,
};
