// Writes a small JSON summary of one jest run to <results dir>/<project dir>-<pid>.json: the
// config's displayName (`api`, `api:integration`), the counts, and the Node.js version jest ran
// on (its workers are forks of the same binary). The results dir is TEST_RESULTS_DIR (relative
// to the workspace root) or tmp/test-results. .ci/run sums these files into one "tests: N
// passed, N failed" line per run (it runs twice, on two Node.js versions, each into its own
// dir), because `nx run-many` prints one jest summary per project and no total.
const fs = require('node:fs');
const path = require('node:path');

const workspaceRoot = path.join(__dirname, '..', '..');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(contexts, results) {
    const outDir = path.resolve(workspaceRoot, process.env.TEST_RESULTS_DIR || 'tmp/test-results');
    fs.mkdirSync(outDir, { recursive: true });
    const name = path.relative(workspaceRoot, this.rootDir).replace(/[\\/]/g, '_');
    const file = path.join(outDir, `${name || 'root'}-${process.pid}.json`);
    const displayName = [...contexts][0]?.config.displayName?.name;
    const summary = {
      project: displayName || name || 'root',
      node: process.version,
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
