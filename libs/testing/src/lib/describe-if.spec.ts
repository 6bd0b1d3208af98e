import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { inCi } from './describe-if';

/** Runs a tiny jest suite using describeIf with a failing probe, with CI set as given. */
function runGated(ci: string | undefined): { status: number | null; output: string } {
  const env = { ...process.env, CI: ci };
  if (ci === undefined) delete env['CI'];
  const result = spawnSync(
    process.execPath,
    [
      require.resolve('jest/bin/jest'),
      '--config',
      join(__dirname, '__fixtures__', 'jest.config.cjs'),
      '--ci=false',
    ],
    { env, encoding: 'utf8', timeout: 60_000 },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('inCi', () => {
  const saved = process.env['CI'];
  afterEach(() => {
    if (saved === undefined) delete process.env['CI'];
    else process.env['CI'] = saved;
  });
  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['', false],
  ])('CI=%j → %s', (value, expected) => {
    process.env['CI'] = value;
    expect(inCi()).toBe(expected);
  });
});

describe('describeIf with a failing probe', () => {
  it('skips outside CI with the hint on stderr', () => {
    const { status, output } = runGated('false');
    expect(output).toContain('SKIPPED "needs the moon": no moon here (look up)');
    expect(output).toMatch(/1 skipped/);
    expect(status).toBe(0);
  });

  it('fails loudly in CI with the hint', () => {
    const { status, output } = runGated('true');
    expect(output).toContain('no moon here (look up) (CI=true: .ci/run must provide it)');
    expect(output).toMatch(/1 failed/);
    expect(output).toMatch(/1 skipped/); // the suite's own test, which never ran
    expect(status).not.toBe(0);
  });
});
