#!/usr/bin/env node
// Sums the per-run JSON files written by tools/jest/summary-reporter.js into one line,
// "tests: N passed, N failed, N skipped", and exits 1 when a test or a suite failed or when
// no test ran at all.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(process.cwd(), 'tmp', 'test-results');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
const total = { passed: 0, failed: 0, skipped: 0, suitesFailed: 0 };
for (const file of files.sort()) {
  const r = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  total.passed += r.passed;
  total.failed += r.failed;
  total.skipped += r.skipped;
  total.suitesFailed += r.suitesFailed;
  console.log(`  ${r.project}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
}
console.log(`${files.length} jest runs; ${total.suitesFailed} failed suites`);
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 || total.suitesFailed > 0 || total.passed === 0 ? 1 : 0);
