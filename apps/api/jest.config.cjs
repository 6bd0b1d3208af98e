module.exports = {
  ...require('./jest.shared.cjs'),
  displayName: 'api',
  testPathIgnorePatterns: ['/node_modules/', '\\.int\\.spec\\.ts$'],
  coverageDirectory: '../../coverage/apps/api',
};
