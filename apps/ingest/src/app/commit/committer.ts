import {
  type Batch,
  BatchRejectedError,
  commitBatch,
  type KeyLayout,
  type WriterLease,
} from '@tally/aggregation';
import type { Redis } from 'ioredis';
import { Outage, retryDelayMs } from './outage';

/** What a batch is written under: the writer's id, the batch's number and the lease's stamp. */
export type BatchStamp = Parameters<typeof commitBatch>[3];

/**
 * One batch on its way to Redis, and how to write it: the write is the source's strategy
 * (a plain apply-batch for the FIFO; apply-batch and the XACK of its entries, in one script
 * call, for the stream).
 */
export interface Commit {
  /** The counts the write stores; read once it succeeded (totals, roll-ups). May change between attempts. */
  readonly batch: Batch;
  /**
   * One attempt under `stamp` (the same for every retry of this batch). Resolves once Redis has
   * the batch (`duplicate`: an earlier attempt was applied and its reply lost), or
   * `nothing-left` when there turned out to be nothing to store; rejects when the attempt failed.
   */
  write(stamp: BatchStamp): Promise<'applied' | 'duplicate' | 'nothing-left'>;
}

/** How a source tells an outage in its log (each transport has its own event names). */
export interface OutageLog {
  /** A failed attempt worth a line: the first of an outage, then one per 10 s. */
  retrying(error: Error, failingForMs: number, seq: number | undefined): void;
  /** The first success after an outage. */
  recovered(outageMs: number, duplicate: boolean): void;
}

/** Roll-ups after a stored batch (a BucketRoller). Never throws. */
export interface RollUps {
  afterCommit(batch: Batch): Promise<void>;
}

export interface CommitterOptions {
  readonly ingestId: string;
  /**
   * This process's lease on `ingestId`: batches are numbered on from its `lastSeq` and carry
   * its stamp; a batch refused because another process holds the id marks it lost.
   */
  readonly lease: Pick<WriterLease, 'lastSeq' | 'stamp' | 'markLost'>;
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

/** Totals that start at zero (also the starting status's). */
export function emptyTotals(): CommitterTotals {
  return { batches: 0, events: 0, malformedLines: 0, duplicates: 0, failedAttempts: 0 };
}

/**
 * The one commit loop every source feeds. `store` numbers a batch (on from the lease's last
 * seq) and writes it with the source's write, retrying the same number with backoff until
 * Redis has it, so a lost reply never double-counts; then it rolls buckets up and adds the
 * batch to the totals. It knows whether Redis work is failing (a source's reads count too),
 * and logs an outage through the source's `OutageLog`. The caller stores one batch at a time.
 */
export class Committer {
  readonly totals = emptyTotals();
  private seq: number;
  /** The seq of the batch being written (kept across its retries). */
  private writingSeq: number | undefined;
  private readonly outage = new Outage();

  constructor(
    private readonly options: CommitterOptions,
    private readonly outageLog: OutageLog,
    private readonly rollUps: RollUps,
  ) {
    this.seq = options.lease.lastSeq;
  }

  /** True from a failed attempt (a write, or a source's read) until the next success. */
  get failing(): boolean {
    return this.outage.failing;
  }

  /** Why the last attempt failed, while failing. */
  get lastError(): string | undefined {
    return this.outage.lastError;
  }

  /**
   * Writes `commit` as the next batch, retrying it (same seq) until Redis has it.
   * @returns false, at once and without retrying, when another process holds the id: the
   *   lease is marked lost (this writer's numbers are no longer its own)
   */
  async store(commit: Commit): Promise<boolean> {
    const seq = ++this.seq;
    this.writingSeq = seq;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const stamp = { ingestId: this.options.ingestId, seq, lease: this.options.lease.stamp };
          const outcome = await commit.write(stamp);
          if (outcome === 'nothing-left') return true;
          this.recordSuccess(commit.batch, outcome === 'duplicate');
          await this.rollUps.afterCommit(commit.batch);
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

  /** The wait after failed attempt number `attempt` (from 0), in ms. */
  backoffMs(attempt: number): number {
    return retryDelayMs(attempt, this.options.retryBaseMs, this.options.retryMaxMs);
  }

  /** After any call Redis answered (a write, or a source's read): no longer failing. */
  markWorking(duplicate = false): void {
    const outageMs = this.outage.succeeded();
    if (outageMs !== undefined) this.outageLog.recovered(outageMs, duplicate);
  }

  /** After any call Redis failed (a write, or a source's read): counted, and logged. */
  recordFailure(error: Error, attempt: number): void {
    this.totals.failedAttempts++;
    const failingForMs = this.outage.failed(error, attempt);
    if (failingForMs !== undefined) this.outageLog.retrying(error, failingForMs, this.writingSeq);
  }

  private recordSuccess(batch: Batch, duplicate: boolean): void {
    this.totals.batches++;
    // A duplicate is this batch's own earlier attempt, applied but its reply lost.
    if (duplicate) this.totals.duplicates++;
    this.totals.events += batch.events;
    this.totals.malformedLines += batch.malformedLines;
    this.markWorking(duplicate);
  }
}

/** The plain write (TRANSPORT=fifo): `batch` with one apply-batch call. */
export function applyBatch(
  redis: Redis,
  keys: KeyLayout,
  retentionSeconds: number,
): (batch: Batch) => Commit {
  const windows = { retentionSeconds };
  return (batch) => ({ batch, write: (stamp) => commitBatch(redis, keys, batch, stamp, windows) });
}

/** A write refused because another process holds this writer's lease (see WriterLease). */
export function isLeaseLost(error: unknown): boolean {
  return error instanceof BatchRejectedError && error.code === 'ERR_LEASE_LOST';
}
