import type { Redis } from 'ioredis';
import { cesu8ToString } from './cesu8';
import type { WindowOptions } from './commit-batch';
import type { KeyLayout } from './keys';
import { STATS_FIELDS } from './keys';
import { type CountEntry, compareEntries } from './ranking';
import { rollUpBuckets } from './roll-up';
import { withScripts } from './scripts';
import { type BucketRef, coverWindow, windowLadder } from './windows';

/** Which counts to read. */
export type CountKind = 'types' | 'words';

/** Which events to count, and how many entries to return: `readCounts`'s query. */
export type CountQuery = AllTimeQuery | WindowQuery;

interface TopOfQuery {
  /** Only the `top` largest entries (SPEC order); all when undefined. */
  readonly top?: number;
}

/** Every event since the store was created. */
export interface AllTimeQuery extends TopOfQuery {
  readonly span: 'all';
}

/** The events whose timestamp second lies in `[nowSeconds − seconds + 1, nowSeconds]`. */
export interface WindowQuery extends TopOfQuery {
  readonly span: 'window';
  /** The window's length: 1 … the retention. */
  readonly seconds: number;
  /** "Now", in whole Unix seconds (the server's clock). */
  readonly nowSeconds: number;
}

const ALL_TIME: AllTimeQuery = Object.freeze({ span: 'all' });

export interface Stats {
  readonly events: number;
  readonly malformedLines: number;
}

/**
 * How long the union of a window's buckets is kept for the next identical `top` query; it is
 * reused only while no batch was applied since (so never stale).
 */
export const UNION_CACHE_MS = 1_000;

/**
 * Entries in SPEC order from a flat member/score reply in Redis's ascending order (score
 * ascending, equal scores by member bytes ascending). CESU-8 byte order is the SPEC's tie
 * order, so walking runs of equal score from the end gives descending counts with ties
 * ascending: O(n), no sort.
 */
function entriesFromAscending(reply: Buffer[]): CountEntry[] {
  const n = reply.length / 2;
  const scores = new Array<number>(n);
  for (let i = 0; i < n; i++) scores[i] = Number(reply[2 * i + 1].toString());
  const entries: CountEntry[] = [];
  for (let end = n - 1; end >= 0;) {
    let start = end;
    while (start > 0 && scores[start - 1] === scores[end]) start--;
    for (let i = start; i <= end; i++) entries.push([cesu8ToString(reply[2 * i]), scores[i]]);
    end = start - 1;
  }
  return entries;
}

/** Decodes a flat member/score reply of CESU-8 members into entries (unsorted). */
function entriesOf(reply: Buffer[]): CountEntry[] {
  const entries: CountEntry[] = [];
  for (let i = 0; i < reply.length; i += 2) {
    entries.push([cesu8ToString(reply[i]), Number(reply[i + 1].toString())]);
  }
  return entries;
}

/**
 * The counts of one kind in SPEC §4 order: descending count, ties by ascending key.
 * - all time, all entries: the whole rank sorted set, already in SPEC order but for the
 *   direction (no sort, no object keyed by user data);
 * - all time, `top`: the K largest from the rank sorted set, O(log n + K), without reading
 *   the vocabulary;
 * - a window: the buckets covering it (at most 33 for a 3600 s retention) are summed in
 *   Redis (ZUNION), and for `top` only the K largest of the sum are returned.
 *
 * A windowed read is not read-only: the coarse buckets of its cover that the ingest has not
 * rolled up yet are rolled up first (summed from their children and sealed, see roll-up.ts),
 * and a windowed `top` keeps the union in a scratch key for about a second. Neither changes
 * any count a query sees, but such a read needs a Redis that accepts writes (not a read-only
 * replica).
 *
 * @param windows needed for a window: the retention both ingest and API are set to
 * @throws RangeError for a window without `windows`, or of a length outside 1 … retention
 */
export async function readCounts(
  redis: Redis,
  keys: KeyLayout,
  kind: CountKind,
  query: CountQuery = ALL_TIME,
  windows?: WindowOptions,
): Promise<CountEntry[]> {
  if (query.span === 'all') {
    if (query.top === undefined) {
      const reply = await redis.zrangeBuffer(keys.rank[kind], 0, -1, 'WITHSCORES');
      return entriesFromAscending(reply);
    }
    const reply = await withScripts(redis).tallyReadTopBuffer(1, [keys.rank[kind]], query.top);
    return entriesOf(reply).sort(compareEntries);
  }

  if (windows === undefined) {
    throw new RangeError('readCounts: a window needs the window retention');
  }
  const cover = windowCover(query, windows);
  // Coarse buckets not rolled up yet (the ingest does it shortly after they close) are
  // summed from their children now; a sealed bucket costs one EXISTS.
  await rollUpBuckets(redis, keys, cover, windows, query.nowSeconds);
  const buckets = cover.map((b) => keys.bucket(kind, b.size, b.start));
  if (query.top === undefined) {
    const reply = (await redis.callBuffer(
      'ZUNION',
      buckets.length,
      ...buckets,
      'WITHSCORES',
    )) as Buffer[];
    return entriesOf(reply).sort(compareEntries);
  }
  const from = query.nowSeconds - query.seconds + 1;
  const union = keys.scratch(`union:${kind}:${from}:${query.nowSeconds}`);
  const reply = await withScripts(redis).tallyReadTopBuffer(
    buckets.length + 3,
    [union, `${union}:generation`, keys.generation, ...buckets],
    query.top,
    UNION_CACHE_MS,
  );
  return entriesOf(reply).sort(compareEntries);
}

/** The buckets that together hold exactly the window of `query`. */
function windowCover({ seconds, nowSeconds }: WindowQuery, windows: WindowOptions): BucketRef[] {
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > windows.retentionSeconds) {
    throw new RangeError(
      `readCounts: a window must be an integer from 1 to ${windows.retentionSeconds} seconds, got ${seconds}`,
    );
  }
  const ladder = windowLadder(windows.retentionSeconds);
  return coverWindow(nowSeconds - seconds + 1, nowSeconds, ladder);
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
