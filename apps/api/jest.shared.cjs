// What the api's unit (jest.config.cjs) and integration (jest.int.config.cjs) configs share:
// the dashboard's and the reference page's assets load as the build bundles them
// (tools/jest/text-transform.cjs, tools/esbuild/*.cjs), and every answer from an api a test
// started is checked against the OpenAPI description (src/testing/contract-setup.ts).
module.exports = {
  preset: '../../jest.preset.js',
  moduleNameMapper: { '^(.+\\.ts)\\?script$': '$1', '^(.+)\\?raw$': '$1' },
  resolver: '<rootDir>/../../tools/jest/resolver.cjs',
  setupFilesAfterEnv: ['<rootDir>/src/testing/contract-setup.ts'],
  transform: {
    '\\.(html|css|svg)$': '<rootDir>/../../tools/jest/text-transform.cjs',
    '/src/(dashboard|docs)/[^/]+\\.ts$': '<rootDir>/../../tools/jest/text-transform.cjs',
    '/node_modules/swagger-ui-dist/.+\\.(js|css)$': '<rootDir>/../../tools/jest/text-transform.cjs',
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  // Swagger UI's files are text for the api (`?raw`), so jest transforms them too.
  transformIgnorePatterns: ['/node_modules/(?!swagger-ui-dist/)'],
};
