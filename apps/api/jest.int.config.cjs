// Integration tests: the real app on an ephemeral port, against a real Redis at REDIS_URL
// (default redis://127.0.0.1:6379), a closed port and a silent TCP server.
module.exports = {
  ...require('./jest.shared.cjs'),
  displayName: 'api:integration',
  testMatch: ['<rootDir>/src/**/*.int.spec.ts'],
};
