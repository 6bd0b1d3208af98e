// Integration tests: the real app on an ephemeral port, against a real Redis at REDIS_URL
// (default redis://127.0.0.1:6379), a closed port and a silent TCP server.
module.exports = {
  displayName: 'api:integration',
  preset: '../../jest.preset.js',
  // The dashboard's assets load as the build bundles them (tools/jest/text-transform.cjs).
  moduleNameMapper: { '^(.+\\.ts)\\?script$': '$1', '^(.+)\\?raw$': '$1' },
  resolver: '<rootDir>/../../tools/jest/resolver.cjs',
  // Every answer from an api a test started is checked against the OpenAPI description.
  setupFilesAfterEnv: ['<rootDir>/src/testing/contract-setup.ts'],
  transform: {
    '\\.(html|css|svg)$': '<rootDir>/../../tools/jest/text-transform.cjs',
    '/src/(dashboard|docs)/[^/]+\\.ts$': '<rootDir>/../../tools/jest/text-transform.cjs',
    '/node_modules/swagger-ui-dist/.+\\.(js|css)$': '<rootDir>/../../tools/jest/text-transform.cjs',
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  // Swagger UI's files are text for the api (`?raw`), so jest transforms them too.
  transformIgnorePatterns: ['/node_modules/(?!swagger-ui-dist/)'],
  testMatch: ['<rootDir>/src/**/*.int.spec.ts'],
};
