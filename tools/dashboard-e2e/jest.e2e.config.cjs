// The dashboard in a real browser: the built api (dist/apps/api/main.js) against the real Redis
// at REDIS_URL, Debian's headless Chromium driven by playwright-core. Run with
// `npx nx e2e dashboard-e2e` (builds the api first).
module.exports = {
  displayName: 'dashboard-e2e',
  preset: '../../jest.preset.js',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  // Every answer the spec fetches from the api it watches is checked against its OpenAPI file.
  setupFilesAfterEnv: ['<rootDir>/src/support/contract-setup.ts'],
  testMatch: ['<rootDir>/src/**/*.e2e.spec.ts'],
  testTimeout: 60_000,
};
