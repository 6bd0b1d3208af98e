import type { Redis, Result } from 'ioredis';
import { readTopLua } from '../lua/scripts.generated';
import { cesu8ToString } from './cesu8';
import type { WindowOptions } from './commit-batch';
import type { KeyLayout } from './keys';
import { STATS_FIELDS } from './keys';
import { type CountEntry, compareEntries } from './ranking';
import { rollUpBuckets } from './roll-up';
import { type BucketRef, coverWindow, windowLadder } from './windows';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** libs/aggregation/src/lua/read-top.lua; replies as Buffers (CESU-8 members). */
    tallyReadTopBuffer(
      numKeys: number,
      keys: string[],
      k: number,
      cacheMs?: number,
    ): Result<Buffer[], Context>;
  }
}

/** Which counts to read. */
export type CountKind = 'types' | 'words';

export interface CountQuery {
  /** Only the `top` largest entries (SPEC order); all when undefined. */
  readonly top?: number;
  /**
   * Only events whose timestamp second lies in `[nowSeconds − windowSeconds + 1, nowSeconds]`
   * (1 … retention); all time when undefined.
   */
  readonly windowSeconds?: number;
  /** "Now" for `windowSeconds`, in whole Unix seconds (the server's clock). */
  readonly nowSeconds?: number;
}

export interface Stats {
  readonly events: number;
  readonly malformedLines: number;
}

/**
 * How long the union of a window's buckets is kept for the next identical `top` query; it is
 * reused only while no batch was applied since (so never stale).
 */
export const UNION_CACHE_MS = 1_000;

function ensureScript(redis: Redis): void {
  if (typeof (redis as Partial<Redis>).tallyReadTopBuffer !== 'function') {
    redis.defineCommand('tallyReadTop', { lua: readTopLua });
  }
}

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
 * - `windowSeconds`: the buckets covering the window (at most 33 for a 3600 s retention),
 *   rolled up first where the ingest has not yet, are summed in Redis (ZUNION), and for
 *   `top` only the K largest of the sum are returned.
 *
 * A windowed read is not read-only: it rolls up (writes and seals) the buckets of its cover
 * that are not sealed yet, which changes no answer (see windows.ts).
 *
 * @param windows needed with `windowSeconds`: the retention both ingest and API are set to
 * @throws RangeError when `windowSeconds` is given without `nowSeconds` or `windows`, or
 *   outside 1 … retention
 */
export async function readCounts(
  redis: Redis,
  keys: KeyLayout,
  kind: CountKind,
  query: CountQuery = {},
  windows?: WindowOptions,
): Promise<CountEntry[]> {
  if (query.windowSeconds === undefined) {
    if (query.top === undefined) {
      const reply = await redis.zrangeBuffer(keys.rank[kind], 0, -1, 'WITHSCORES');
      return entriesFromAscending(reply);
    }
    ensureScript(redis);
    const reply = await redis.tallyReadTopBuffer(1, [keys.rank[kind]], query.top);
    return entriesOf(reply).sort(compareEntries);
  }

  const cover = windowCover(query, windows);
  // Coarse buckets not rolled up yet (the ingest does it shortly after they close) are
  // summed from their children now; a sealed bucket costs one EXISTS.
  await rollUpBuckets(redis, keys, cover, windows as WindowOptions, query.nowSeconds as number);
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
  ensureScript(redis);
  const from = (query.nowSeconds as number) - (query.windowSeconds as number) + 1;
  const union = keys.scratch(`union:${kind}:${from}:${query.nowSeconds}`);
  const reply = await redis.tallyReadTopBuffer(
    buckets.length + 3,
    [union, `${union}:generation`, keys.generation, ...buckets],
    query.top,
    UNION_CACHE_MS,
  );
  return entriesOf(reply).sort(compareEntries);
}

/** The buckets that together hold exactly the window of `query`. */
function windowCover(query: CountQuery, windows: WindowOptions | undefined): BucketRef[] {
  const { windowSeconds, nowSeconds } = query;
  if (windows === undefined || nowSeconds === undefined || windowSeconds === undefined) {
    throw new RangeError('readCounts: a window needs nowSeconds and the window retention');
  }
  if (
    !Number.isSafeInteger(windowSeconds) ||
    windowSeconds < 1 ||
    windowSeconds > windows.retentionSeconds
  ) {
    throw new RangeError(
      `readCounts: windowSeconds must be an integer from 1 to ${windows.retentionSeconds}, got ${windowSeconds}`,
    );
  }
  const ladder = windowLadder(windows.retentionSeconds);
  return coverWindow(nowSeconds - windowSeconds + 1, nowSeconds, ladder);
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
