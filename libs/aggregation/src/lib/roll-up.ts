import type { Redis } from 'ioredis';
import type { WindowOptions } from './commit-batch';
import type { KeyLayout } from './keys';
import { withScripts } from './scripts';
import { type BucketRef, bucketStart, windowLadder } from './windows';

/**
 * Seals `buckets` (and, first, their unsealed children): each then holds the exact counts of
 * its seconds and gets every later event of them directly (see roll-up.lua). Buckets of size
 * 1 and buckets already sealed or expired are skipped. Never changes a count a query sees,
 * so it is safe to call any time, from any process, any number of times.
 * @returns how many buckets were rolled up by this call
 */
export async function rollUpBuckets(
  redis: Redis,
  keys: KeyLayout,
  buckets: readonly BucketRef[],
  windows: WindowOptions,
  nowSeconds: number,
): Promise<number> {
  const coarse = buckets.filter((b) => b.size > 1);
  if (coarse.length === 0) return 0;
  const ladder = windowLadder(windows.retentionSeconds);
  const args: (string | number)[] = [
    keys.bucketBase,
    windows.retentionSeconds,
    nowSeconds,
    ladder.length,
    ...ladder,
  ];
  for (const { size, start } of coarse) args.push(size, start);
  return withScripts(redis).tallyRollUp(0, args);
}

/**
 * Which coarse buckets an ingest has written seconds of and that it is done with: the ingest
 * rolls those up soon after their last second, so that queries find them summed and later
 * batches write one-second buckets only. "Done" is judged by the event time the stream has
 * reached, not the clock alone: a backlog replayed from an hour ago rolls its buckets up one
 * after the other as it moves past them, instead of sealing them all at once and then writing
 * every event into every level. Holds at most one entry per coarse bucket (about 1,400 for an
 * hour of seconds with the default retention).
 */
export class RollUpQueue {
  private readonly ladder: readonly number[];
  private readonly open = new Map<string, BucketRef>();
  private highWater = -Infinity;

  /**
   * @param graceSeconds how long after a bucket's last second it is rolled up, so that events
   *   a little late or out of order still go to the one-second buckets only
   */
  constructor(
    windows: WindowOptions,
    private readonly graceSeconds = 2,
  ) {
    this.ladder = windowLadder(windows.retentionSeconds);
  }

  /** Notes the coarse buckets holding `seconds` (event time, whole seconds). */
  note(seconds: Iterable<number>): void {
    let last: number | undefined;
    for (const second of seconds) {
      if (second === last) continue;
      last = second;
      if (second > this.highWater) this.highWater = second;
      for (let level = 1; level < this.ladder.length; level++) {
        const size = this.ladder[level];
        const start = bucketStart(second, size);
        const id = `${size}:${start}`;
        if (!this.open.has(id)) this.open.set(id, { size, start });
      }
    }
  }

  /**
   * Takes the noted buckets whose last second is more than the grace behind both `nowSeconds`
   * and the latest second noted, smallest first (children before their parents).
   */
  takeClosed(nowSeconds: number): BucketRef[] {
    const horizon = Math.min(nowSeconds, this.highWater) - this.graceSeconds;
    const closed: BucketRef[] = [];
    for (const [id, bucket] of this.open) {
      if (bucket.start + bucket.size - 1 < horizon) {
        closed.push(bucket);
        this.open.delete(id);
      }
    }
    return closed.sort((a, b) => a.size - b.size || a.start - b.start);
  }

  /** Buckets noted and not taken yet. */
  get size(): number {
    return this.open.size;
  }
}
