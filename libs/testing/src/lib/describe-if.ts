/** True when running in CI (`CI=true` or `CI=1`, as .ci/run sets it). */
export function inCi(): boolean {
  return process.env['CI'] === 'true' || process.env['CI'] === '1';
}

/**
 * `describe` for a suite that needs something outside the project (a Redis, a binary, a
 * browser). When `probe()` is true the suite runs. When it is false: in CI it fails loudly (one
 * failing test names `hint`; the suite's own tests are skipped and its hooks never run); outside
 * CI it is skipped with a line on stderr naming the suite and `hint` (what is missing and how
 * to get it).
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
    // One failing test says why; the suite's own tests show as skipped and none of its hooks
    // run (a hook that opened a client to the missing server could keep jest from exiting).
    describe(name, () => {
      it(`has what it needs: ${hint}`, () => {
        throw new Error(`${hint} (CI=true: .ci/run must provide it)`);
      });
      describe.skip('(not run: the probe failed)', body);
    });
    return;
  }
  process.stderr.write(`SKIPPED "${name}": ${hint}\n`);
  describe.skip(name, body);
}
