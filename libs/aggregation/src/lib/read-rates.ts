import type { Redis } from 'ioredis';
import type { KeyLayout } from './keys';
import { withScripts } from './scripts';

/** The most seconds one call reads (KEYS of one script call): more than a dashboard needs. */
export const MAX_RATE_SECONDS = 3600;

/**
 * The number of events whose timestamp (event time) is each second of
 * `[fromSecond, toSecond]`, oldest first: the sum of the event-type counts of each second's
 * one-second bucket, read in one round trip (read-rates.lua). A second with no bucket (no
 * event, or older than the retention) is 0. Events ingested late count in their own second.
 *
 * @throws RangeError unless both are integers with `fromSecond <= toSecond` and at most
 *   MAX_RATE_SECONDS seconds between them
 */
export async function readEventsPerSecond(
  redis: Redis,
  keys: KeyLayout,
  fromSecond: number,
  toSecond: number,
): Promise<number[]> {
  if (
    !Number.isSafeInteger(fromSecond) ||
    !Number.isSafeInteger(toSecond) ||
    toSecond < fromSecond ||
    toSecond - fromSecond + 1 > MAX_RATE_SECONDS
  ) {
    throw new RangeError(
      `readEventsPerSecond: expected integer seconds from <= to, at most ${MAX_RATE_SECONDS} apart, got ${fromSecond} … ${toSecond}`,
    );
  }
  const buckets: string[] = [];
  for (let second = fromSecond; second <= toSecond; second++) {
    buckets.push(keys.bucket('types', 1, second));
  }
  const reply = await withScripts(redis).tallyReadRates(buckets.length, buckets);
  return reply.map(Number);
}
