import {
  type Batch,
  type KeyLayout,
  RollUpQueue,
  rollUpBuckets,
  type WindowOptions,
} from '@tally/aggregation';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * Rolls up the coarse window buckets this ingest wrote seconds of, once they have closed
 * (see libs/aggregation roll-up.lua): queries then sum a few sealed buckets, and later
 * batches write one-second buckets only. Rolling up is an optimisation, never a count: a
 * failed attempt is logged and the buckets are left to the queries, which roll up what they
 * need themselves.
 */
export class BucketRoller {
  private readonly queue: RollUpQueue;
  private readonly windows: WindowOptions;

  /** @param retentionSeconds WINDOW_RETENTION_S (the ladder of bucket sizes follows from it) */
  constructor(
    private readonly redis: Redis,
    private readonly keys: KeyLayout,
    retentionSeconds: number,
    private readonly logger: Logger,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.windows = { retentionSeconds };
    this.queue = new RollUpQueue(this.windows);
  }

  /** Call after `batch` was stored. Never throws. */
  async afterCommit(batch: Batch): Promise<void> {
    if (batch.seconds.length > 0) this.queue.note(batch.seconds.map((s) => s.second));
    if (this.queue.size === 0) return;
    const now = this.nowSeconds();
    const closed = this.queue.takeClosed(now);
    if (closed.length === 0) return;
    // One call per bucket: each is a union in Redis (up to the vocabulary times 4 entries),
    // and other clients get their turn between them.
    for (const bucket of closed) {
      try {
        await rollUpBuckets(this.redis, this.keys, [bucket], this.windows, now);
      } catch (error) {
        this.logger.debug(
          { event: 'roll_up_failed', err: (error as Error).message, bucket },
          'could not roll up a closed window bucket; queries will',
        );
      }
    }
  }
}
