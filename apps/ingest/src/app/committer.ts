import {
  type Batch,
  BatchAggregator,
  BatchRejectedError,
  type BatchStamp,
  commitBatch,
  type KeyLayout,
  type WriterLease,
} from '@tally/aggregation';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { BucketRoller } from './bucket-roller';
import { Outage, retryDelayMs } from './outage';

export interface CommitterOptions {
  readonly ingestId: string;
  /**
   * This process's lease on `ingestId`: batches are numbered on from its `lastSeq` and carry
   * its stamp; a batch refused because another process holds the id marks it lost.
   */
  readonly lease: WriterLease;
  /** WINDOW_RETENTION_S: how long the windowed buckets are kept. */
  readonly retentionSeconds: number;
  readonly flushIntervalMs: number;
  readonly batchMaxKeys: number;
  readonly maxPendingKeys: number;
  /** Backoff between failed attempts: first delay and cap, in ms. */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
}

export interface CommitterTotals {
  batches: number;
  events: number;
  malformedLines: number;
  duplicates: number;
  failedAttempts: number;
}

/**
 * What a write stored: the batch written (less than asked when some of it was counted
 * elsewhere), and whether Redis had it already.
 */
export interface Stored {
  readonly batch: Batch;
  /** This batch's own earlier attempt was applied but its reply lost. */
  readonly duplicate: boolean;
}

/**
 * How one batch is written under its stamp: `commitBatch` by default; the stream source's
 * also acks its entries in the same script. Called again with the same stamp after a failure;
 * returns undefined when nothing was left to store. Throws to be retried.
 */
export type WriteBatch = (batch: Batch, stamp: BatchStamp) => Promise<Stored | undefined>;

/** How a source tells its outage in the log (event names are part of the contract). */
export interface OutageLog {
  /** The first failure of an outage, then at most one line per backoff step. */
  retrying(error: Error, failingForMs: number, seq: number | undefined): void;
  /** The first success after an outage. */
  recovered(outageMs: number, duplicate: boolean): void;
}

/** Totals that start at zero (also the starting status's). */
export function emptyTotals(): CommitterTotals {
  return { batches: 0, events: 0, malformedLines: 0, duplicates: 0, failedAttempts: 0 };
}

/**
 * Owns the counts between "line read" and "count stored". Lines are counted into `pending`;
 * a batch is cut when `batchMaxKeys` distinct keys are pending or `flushIntervalMs` has passed,
 * and written with one apply-batch call. One batch is in flight at a time, with a sequence
 * number that stays the same across its retries, so a lost reply never double-counts. While
 * Redis is away, `pending` keeps merging (counts, not lines) and `overloaded` turns true at
 * `maxPendingKeys`, the signal for the reader to stop reading the FIFO.
 *
 * `commit` is the commit loop itself (seq, retries with backoff, outage, roll-ups, totals),
 * shared by every source: the stream source cuts its own batches and passes a write that also
 * acks its entries.
 */
export class Committer {
  readonly pending = new BatchAggregator();
  readonly totals = emptyTotals();
  private inFlight: { batch: Batch } | null = null;
  /** The seq of the batch being written (kept across its retries). */
  private writingSeq: number | undefined;
  private inFlightKeys = 0;
  private seq = 0;
  private pressured = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly outage = new Outage();
  private idleWaiters: (() => void)[] = [];
  private readonly roller: BucketRoller;
  private readonly outageLog: OutageLog;

  constructor(
    private readonly redis: Redis,
    private readonly keys: KeyLayout,
    private readonly options: CommitterOptions,
    logger: Logger,
    private readonly onPressureChange: (overloaded: boolean) => void = () => undefined,
    outageLog?: OutageLog,
  ) {
    this.outageLog = outageLog ?? fifoOutageLog(logger, () => this.heldKeys);
    this.roller = new BucketRoller(redis, keys, options.retentionSeconds, logger);
    this.seq = options.lease.lastSeq;
  }

  /** Distinct keys held in memory, pending and in flight. */
  get heldKeys(): number {
    return this.pending.distinctKeys + this.inFlightKeys;
  }

  /** True when the reader should stop reading until counts have been stored. */
  get overloaded(): boolean {
    return this.heldKeys >= this.options.maxPendingKeys;
  }

  /** True when Redis has refused or failed the current batch and it is being retried. */
  get failing(): boolean {
    return this.outage.failing;
  }

  /** Why the last attempt failed, while writes are failing. */
  get lastError(): string | undefined {
    return this.outage.lastError;
  }

  /** True when nothing is pending and nothing is in flight. */
  get idle(): boolean {
    return this.inFlight === null && this.pending.isEmpty;
  }

  /** Call after a group of lines was counted into `pending`: cuts a batch when it is due. */
  afterCounting(): void {
    if (this.pending.isEmpty) return;
    if (this.pending.distinctKeys >= this.options.batchMaxKeys) {
      this.flushNow();
    } else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flushNow();
      }, this.options.flushIntervalMs);
    }
    this.updatePressure();
  }

  /** Calls `onPressureChange` when `overloaded` flips, and only then. */
  private updatePressure(): void {
    const overloaded = this.overloaded;
    if (overloaded !== this.pressured) {
      this.pressured = overloaded;
      this.onPressureChange(overloaded);
    }
  }

  /** Starts writing what is pending now, if no batch is in flight. */
  flushNow(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inFlight !== null || this.pending.isEmpty) return;
    const batch = this.pending.takeChunk(this.options.batchMaxKeys);
    this.inFlight = { batch };
    this.inFlightKeys = batch.types.size + batch.words.size;
    void this.writeInFlight();
  }

  /** Resolves once every count read so far is stored (waits for Redis as long as it takes). */
  async drain(): Promise<void> {
    while (!this.idle) {
      this.flushNow();
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  /**
   * The commit loop every source feeds: writes `batch` under the next seq with `write`,
   * retrying the same seq with backoff until Redis has answered, then rolls buckets up.
   * Returns false when the lease was lost (nothing more may be written as this id).
   */
  async commit(batch: Batch, write: WriteBatch = this.writeWithCommitBatch): Promise<boolean> {
    const seq = ++this.seq;
    this.writingSeq = seq;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const stamp = { ingestId: this.options.ingestId, seq, lease: this.options.lease.stamp };
          const stored = await write(batch, stamp);
          if (stored === undefined) return true;
          this.recordSuccess(stored.batch, stored.duplicate);
          await this.roller.afterCommit(stored.batch);
          return true;
        } catch (error) {
          if (isLeaseLost(error)) {
            // Another process writes as this id now: never retry (the seq is no longer ours).
            this.options.lease.markLost((error as Error).message);
            return false;
          }
          this.recordFailure(error as Error, attempt);
          await new Promise((resolve) => setTimeout(resolve, this.backoffMs(attempt)));
        }
      }
    } finally {
      this.writingSeq = undefined;
    }
  }

  /** The delay after failed attempt number `attempt` (0 first). */
  backoffMs(attempt: number): number {
    return retryDelayMs(attempt, this.options.retryBaseMs, this.options.retryMaxMs);
  }

  private readonly writeWithCommitBatch: WriteBatch = async (batch, stamp) => {
    const windows = { retentionSeconds: this.options.retentionSeconds };
    const outcome = await commitBatch(this.redis, this.keys, batch, stamp, windows);
    return { batch, duplicate: outcome === 'duplicate' };
  };

  private async writeInFlight(): Promise<void> {
    const current = this.inFlight;
    if (current === null) return;
    if (!(await this.commit(current.batch))) return;
    this.inFlight = null;
    this.inFlightKeys = 0;
    // More may have piled up while this batch was in flight (or while Redis was away).
    if (!this.pending.isEmpty) {
      // No timer running means its interval already ran out while this batch was in flight.
      if (this.pending.distinctKeys >= this.options.batchMaxKeys || this.timer === null) {
        this.flushNow();
      }
    }
    this.updatePressure();
    this.wakeIdleWaiters();
  }

  private recordSuccess(batch: Batch, duplicate: boolean): void {
    this.totals.batches++;
    if (duplicate) this.totals.duplicates++;
    this.totals.events += batch.events;
    this.totals.malformedLines += batch.malformedLines;
    this.markWorking(duplicate);
  }

  /** After any call Redis answered (a commit, or a source's read): no longer failing. */
  markWorking(duplicate = false): void {
    const outageMs = this.outage.succeeded();
    if (outageMs !== undefined) this.outageLog.recovered(outageMs, duplicate);
  }

  /** After any call Redis failed (a commit, or a source's read): counted, and logged. */
  recordFailure(error: Error, attempt: number): void {
    this.totals.failedAttempts++;
    const failingForMs = this.outage.failed(error, attempt);
    if (failingForMs !== undefined) this.outageLog.retrying(error, failingForMs, this.writingSeq);
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Stops the flush timer (the in-flight write, if any, carries on). */
  stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** A write refused because another process holds this writer's lease (see WriterLease). */
export function isLeaseLost(error: unknown): boolean {
  return error instanceof BatchRejectedError && error.code === 'ERR_LEASE_LOST';
}

/** The FIFO's outage lines: a batch retried (or refused), then Redis writing again. */
export function fifoOutageLog(logger: Logger, heldKeys: () => number): OutageLog {
  return {
    retrying(error, failingForMs, seq) {
      const rejected = error instanceof BatchRejectedError;
      logger[rejected ? 'error' : 'warn'](
        {
          event: rejected ? 'batch_rejected' : 'batch_retry',
          code: rejected ? error.code : undefined,
          err: error.message,
          seq,
          heldKeys: heldKeys(),
          failingForMs,
        },
        rejected
          ? 'Redis refused the batch; nothing was written; retrying until the keys are fixed'
          : 'could not store a batch; retrying the same batch',
      );
    },
    recovered(outageMs, duplicate) {
      logger.info(
        { event: 'redis_recovered', outageMs, duplicate },
        'Redis writes work again; catching up',
      );
    },
  };
}
