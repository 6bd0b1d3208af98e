#!/usr/bin/env node
// Sums the per-run JSON files written by tools/jest/summary-reporter.js in one results dir into
// one line, "<label> (node v24.x): N passed, N failed, N skipped", and exits 1 when a test or a
// suite failed, when no test ran at all, or (with --node) when a jest run was on another major
// version of Node.js than expected.
//
//   node tools/scripts/test-summary.mjs [--label tests] [--node 24] [dir, default tmp/test-results]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { label: { type: 'string', default: 'tests' }, node: { type: 'string' } },
  allowPositionals: true,
});
const dir = resolve(positionals[0] ?? join('tmp', 'test-results'));
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
const total = { passed: 0, failed: 0, skipped: 0, suitesFailed: 0 };
const versions = new Set();
for (const file of files.sort()) {
  const r = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  total.passed += r.passed;
  total.failed += r.failed;
  total.skipped += r.skipped;
  total.suitesFailed += r.suitesFailed;
  versions.add(r.node ?? 'unknown');
  console.log(
    `  ${r.project} (node ${r.node}): ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`,
  );
}
const on = [...versions].sort().join(', ') || 'none';
const wrongNode =
  values.node === undefined ? [] : [...versions].filter((v) => !v.startsWith(`v${values.node}.`));
console.log(`${files.length} jest runs; ${total.suitesFailed} failed suites`);
if (wrongNode.length > 0) {
  console.log(
    `${values.label}: expected Node.js ${values.node}, some ran on ${wrongNode.join(', ')}`,
  );
}
console.log(
  `${values.label} (node ${on}): ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`,
);
const failed = total.failed > 0 || total.suitesFailed > 0 || total.passed === 0;
process.exit(failed || wrongNode.length > 0 ? 1 : 0);
