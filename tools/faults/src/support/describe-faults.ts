import { redisServerInstalled } from './processes';

const inCi = () => process.env['CI'] === 'true' || process.env['CI'] === '1';

/**
 * `describe` for fault suites, which start a redis-server of their own. Outside CI, a missing
 * `redis-server` binary skips the suite with a message; in CI (CI=true) the suite runs and
 * fails loudly in its first hook instead.
 */
export function describeFaults(name: string, body: () => void): void {
  if (redisServerInstalled()) {
    describe(name, body);
    return;
  }
  if (inCi()) {
    describe(name, () => {
      beforeAll(() => {
        throw new Error('redis-server is not installed (CI=true): .ci/run must install it');
      });
      body();
    });
    return;
  }
  process.stderr.write(`SKIPPED "${name}": redis-server is not installed\n`);
  describe.skip(name, body);
}

/**
 * One line per scenario with the numbers it proved. Through the console, which jest prints
 * with the file's result (a bare stdout write can get lost among the reporter's own output).
 */
export function report(scenario: string, facts: Record<string, unknown>): void {
  console.info(`faults: ${scenario}: ${JSON.stringify(facts)}`);
}
