// Shared jest settings for every project. The Nx preset brings the resolver that maps
// the `@tally/*` paths of tsconfig.base.json; the summary reporter writes one JSON file per
// run so that .ci/run can print a single "N passed, N failed" line for the whole workspace.
const nxPreset = require('@nx/jest/preset').default;
const path = require('node:path');

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  reporters: ['default', path.join(__dirname, 'tools/jest/summary-reporter.js')],
};
