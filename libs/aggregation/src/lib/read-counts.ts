import type { Redis } from 'ioredis';
import type { KeyLayout } from './keys';
import { STATS_FIELDS } from './keys';
import { type CountEntry, rankEntries } from './ranking';

/** Which counts to read. */
export type CountKind = 'types' | 'words';

export interface CountQuery {
  /** Only the `top` largest entries (SPEC order); all when undefined. */
  readonly top?: number;
}

export interface Stats {
  readonly events: number;
  readonly malformedLines: number;
}

/**
 * The counts of one kind in SPEC §4 order: descending count, ties by ascending key.
 * Keys such as `__proto__` come back as they were stored (ioredis defines such fields as own
 * properties of the HGETALL reply).
 */
export async function readCounts(
  redis: Redis,
  keys: KeyLayout,
  kind: CountKind,
  query: CountQuery = {},
): Promise<CountEntry[]> {
  const hash = await redis.hgetall(kind === 'types' ? keys.types : keys.words);
  const entries: CountEntry[] = [];
  for (const key of Object.keys(hash)) entries.push([key, Number(hash[key])]);
  return rankEntries(entries, query.top);
}

/** Events and malformed lines since the store was created (0 when nothing was written yet). */
export async function readStats(redis: Redis, keys: KeyLayout): Promise<Stats> {
  const [events, malformedLines] = await redis.hmget(
    keys.stats,
    STATS_FIELDS.events,
    STATS_FIELDS.malformedLines,
  );
  return { events: Number(events ?? 0), malformedLines: Number(malformedLines ?? 0) };
}
