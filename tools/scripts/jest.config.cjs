// The unit tests of the workspace scripts' pure parts (lib/*.cjs, loaded as they are).
module.exports = {
  displayName: 'scripts',
  preset: '../../jest.preset.js',
  moduleFileExtensions: ['ts', 'js', 'cjs', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testMatch: ['<rootDir>/lib/**/*.spec.ts'],
};
