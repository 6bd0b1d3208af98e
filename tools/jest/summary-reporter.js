// Writes a small JSON summary of one jest run to tmp/test-results/<displayName>-<pid>.json.
// .ci/run sums these files into the single "tests: N passed, N failed" line CI reads, because
// `nx run-many` prints one jest summary per project and no total.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const outDir = path.join(__dirname, '..', '..', 'tmp', 'test-results');
    fs.mkdirSync(outDir, { recursive: true });
    const name = path
      .relative(path.join(__dirname, '..', '..'), this.rootDir)
      .replace(/[\\/]/g, '_');
    const file = path.join(outDir, `${name || 'root'}-${process.pid}.json`);
    const summary = {
      project: name,
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      skipped: results.numPendingTests + results.numTodoTests,
      suitesFailed: results.numFailedTestSuites,
      runtimeErrorSuites: results.numRuntimeErrorTestSuites,
    };
    fs.writeFileSync(file, JSON.stringify(summary) + '\n');
  }
}

module.exports = SummaryReporter;
