import { type Batch, BatchAggregator, BatchRejectedError } from '@tally/aggregation';
import type { Logger } from 'pino';
import type { Commit, Committer, OutageLog } from './committer';

export interface BatcherOptions {
  /** A count is cut into a batch at most this long after it was counted (FLUSH_INTERVAL_MS). */
  readonly flushIntervalMs: number;
  /** Distinct keys that make a batch big enough to cut before the interval is up. */
  readonly batchMaxKeys: number;
  /** Distinct keys held (pending + in flight) at which `overloaded` turns true. */
  readonly maxPendingKeys: number;
}

/**
 * Batches for a source of unbounded input (the FIFO): owns the counts between "line read" and
 * "batch handed to the Committer". Lines are counted into `pending`; a batch is cut when
 * `batchMaxKeys` distinct keys are pending or `flushIntervalMs` has passed, and stored by the
 * Committer (with `write`). One batch is in flight at a time. While Redis is away, `pending`
 * keeps merging (counts, not lines) and `overloaded` turns true at `maxPendingKeys`, the
 * signal for the reader to stop reading.
 */
export class Batcher {
  readonly pending = new BatchAggregator();
  private inFlight: Batch | null = null;
  private inFlightKeys = 0;
  private pressured = false;
  private timer: NodeJS.Timeout | null = null;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly committer: Committer,
    /** How a cut batch is written (see Commit). */
    private readonly write: (batch: Batch) => Commit,
    private readonly options: BatcherOptions,
    private readonly onPressureChange: (overloaded: boolean) => void = () => undefined,
  ) {}

  /** Distinct keys held in memory, pending and in flight. */
  get heldKeys(): number {
    return this.pending.distinctKeys + this.inFlightKeys;
  }

  /** True when the reader should stop reading until counts have been stored. */
  get overloaded(): boolean {
    return this.heldKeys >= this.options.maxPendingKeys;
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

  /** Starts writing what is pending now, if no batch is in flight. */
  flushNow(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inFlight !== null || this.pending.isEmpty) return;
    const batch = this.pending.takeChunk(this.options.batchMaxKeys);
    this.inFlight = batch;
    this.inFlightKeys = batch.types.size + batch.words.size;
    void this.storeInFlight(batch);
  }

  /** Resolves once every count read so far is stored (waits for Redis as long as it takes). */
  async drain(): Promise<void> {
    while (!this.idle) {
      this.flushNow();
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  /** Stops the flush timer (the in-flight write, if any, carries on). */
  stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async storeInFlight(batch: Batch): Promise<void> {
    // Lease lost: the batch stays in flight, nothing more is written (the process stops).
    if (!(await this.committer.store(this.write(batch)))) return;
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

  /** Calls `onPressureChange` when `overloaded` flips, and only then. */
  private updatePressure(): void {
    const overloaded = this.overloaded;
    if (overloaded !== this.pressured) {
      this.pressured = overloaded;
      this.onPressureChange(overloaded);
    }
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

/** The batched outage lines: a batch retried (or refused), then Redis writing again. */
export function batchOutageLog(logger: Logger, heldKeys: () => number): OutageLog {
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
