// Fault tests: the built apps (dist/apps/*/main.js) as real processes against a redis-server of
// the suite's own (never the shared one: these tests kill, pause and restart it), a real FIFO
// and a unique KEY_PREFIX. Named jest.faults.config.cjs, not jest.config.*, so that Nx does not
// infer a unit `test` target from it. Run with `npx nx run faults:integration`.
module.exports = {
  displayName: 'faults',
  preset: '../../jest.preset.js',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testMatch: ['<rootDir>/src/**/*.faults.spec.ts'],
  testTimeout: 60_000,
};
