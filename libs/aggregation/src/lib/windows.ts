/**
 * Time buckets for windowed counts (SPEC §4 `window`), in event-time seconds.
 *
 * Buckets come in a ladder of sizes 1, 4, 16, 64, … seconds (powers of 4, up to the
 * retention), each aligned to a multiple of its size. A window `[from, to]` is covered exactly
 * by aligned buckets, largest first: at most 3 of each level on each edge plus the largest
 * level in the middle. For the default retention (3600 s, ladder 1…1024) that is at most 33
 * buckets for any window, instead of up to 3600 one-second buckets.
 *
 * The ingest writes one-second buckets only; a coarser bucket is summed from its children
 * once (roll-up.lua) when the stream has moved past it or when a query needs it, and from then
 * on gets late events of its seconds directly. So a windowed event costs one increment per
 * distinct key per second, not one per level.
 */

/** How far into the future (skewed clocks) an event still lands in its own second (SPEC §3). */
export const MAX_FUTURE_SKEW_SECONDS = 300;

/** The bucket sizes for `retentionSeconds`: 1, 4, 16, … while at most the retention. */
export function windowLadder(retentionSeconds: number): readonly number[] {
  if (!Number.isSafeInteger(retentionSeconds) || retentionSeconds < 1) {
    throw new RangeError(`retention must be an integer >= 1, got ${retentionSeconds}`);
  }
  const ladder = [1];
  while (ladder[ladder.length - 1] * 4 <= retentionSeconds)
    ladder.push(ladder[ladder.length - 1] * 4);
  return Object.freeze(ladder);
}

/** The start of the bucket of `size` seconds that holds `second`. */
export function bucketStart(second: number, size: number): number {
  return second - (((second % size) + size) % size);
}

/**
 * Whether an event at `timestamp` (whole seconds) goes into the windowed buckets when it is
 * ingested at `nowSeconds`: not older than the retention, not more than 300 s in the future.
 * Others count in the totals only (SPEC §3).
 */
export function isWindowed(
  timestamp: number,
  nowSeconds: number,
  retentionSeconds: number,
): boolean {
  return (
    timestamp > nowSeconds - retentionSeconds && timestamp <= nowSeconds + MAX_FUTURE_SKEW_SECONDS
  );
}

/** One aligned bucket: the seconds `[start, start + size - 1]`. */
export interface BucketRef {
  readonly size: number;
  readonly start: number;
}

/**
 * The aligned buckets that together hold exactly the seconds `[fromSecond, toSecond]`,
 * in time order: greedy, the largest aligned bucket that fits at each step.
 */
export function coverWindow(
  fromSecond: number,
  toSecond: number,
  ladder: readonly number[],
): BucketRef[] {
  const buckets: BucketRef[] = [];
  let cursor = fromSecond;
  while (cursor <= toSecond) {
    let size = 1;
    for (let i = ladder.length - 1; i >= 0; i--) {
      const s = ladder[i];
      if (cursor % s === 0 && cursor + s - 1 <= toSecond) {
        size = s;
        break;
      }
    }
    buckets.push({ size, start: cursor });
    cursor += size;
  }
  return buckets;
}
