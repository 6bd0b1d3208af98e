import { describeIf } from '@tally/testing';
import { redisServerInstalled } from './processes';

/**
 * `describe` for fault suites, which start a redis-server of their own: {@link describeIf}
 * with the redis-server probe (skipped outside CI without it, failing loudly in CI).
 */
export function describeFaults(name: string, body: () => void): void {
  describeIf(
    name,
    redisServerInstalled,
    'redis-server is not installed (apt-get install redis-server)',
    body,
  );
}

/**
 * One line per scenario with the numbers it proved. Through the console, which jest prints
 * with the file's result (a bare stdout write can get lost among the reporter's own output).
 */
export function report(scenario: string, facts: Record<string, unknown>): void {
  console.info(`faults: ${scenario}: ${JSON.stringify(facts)}`);
}
