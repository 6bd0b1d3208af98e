module.exports = {
  displayName: 'api',
  preset: '../../jest.preset.js',
  // The dashboard's assets load as the build bundles them (tools/jest/text-transform.cjs).
  moduleNameMapper: { '^(.+\\.ts)\\?script$': '$1' },
  resolver: '<rootDir>/../../tools/jest/resolver.cjs',
  transform: {
    '\\.(html|css|svg)$': '<rootDir>/../../tools/jest/text-transform.cjs',
    '/src/dashboard/[^/]+\\.ts$': '<rootDir>/../../tools/jest/text-transform.cjs',
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testPathIgnorePatterns: ['/node_modules/', '\\.int\\.spec\\.ts$'],
  coverageDirectory: '../../coverage/apps/api',
};
