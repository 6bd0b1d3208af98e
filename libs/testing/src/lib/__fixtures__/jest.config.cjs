// A one-suite jest run for describe-if.spec.ts: describeIf with a probe that always fails.
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/gated.fixture.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../../../tsconfig.json' }] },
};
