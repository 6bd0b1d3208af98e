/** True when running in CI (`CI=true` or `CI=1`, as .ci/run sets it). */
export function inCi(): boolean {
  return process.env['CI'] === 'true' || process.env['CI'] === '1';
}

/**
 * `describe` for a suite that needs something outside the project (a Redis, a binary, a
 * browser). When `probe()` is true the suite runs. When it is false: in CI the suite still runs
 * and fails loudly in its first hook with `hint`; outside CI it is skipped with a line on stderr
 * naming the suite and `hint` (what is missing and how to get it).
 */
export function describeIf(
  name: string,
  probe: () => boolean,
  hint: string,
  body: () => void,
): void {
  if (probe()) {
    describe(name, body);
    return;
  }
  if (inCi()) {
    describe(name, () => {
      beforeAll(() => {
        throw new Error(`${hint} (CI=true: .ci/run must provide it)`);
      });
      body();
    });
    return;
  }
  process.stderr.write(`SKIPPED "${name}": ${hint}\n`);
  describe.skip(name, body);
}
