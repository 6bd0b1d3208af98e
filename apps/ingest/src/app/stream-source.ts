import {
  type Batch,
  BatchAggregator,
  claimIdleEntries,
  commitStreamBatch,
  ensureStreamGroup,
  type KeyLayout,
  readNewEntries,
  readOwnPendingEntries,
  type StreamEntry,
  type StreamState,
  stillPending,
  trimStream,
  type WriterLease,
} from '@tally/aggregation';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { BucketRoller } from './bucket-roller';
import { Outage, retryDelayMs } from './outage';
import { type CommitterTotals, emptyTotals, isLeaseLost } from './committer';
import { LineCounter } from './line-counter';

export interface StreamSourceOptions {
  /** The consumer name in the group, and the stamp of this replica's batches. */
  readonly ingestId: string;
  /** This process's lease on `ingestId` (see Committer's option of the same name). */
  readonly lease: WriterLease;
  readonly retentionSeconds: number;
  /** STREAM_CLAIM_IDLE_MS: entries pending this long on any consumer are taken over. */
  readonly claimIdleMs: number;
  /** STREAM_READ_COUNT: entries read, counted and committed together. */
  readonly readCount: number;
  /** How long one XREADGROUP waits for new entries. @default 1000 */
  readonly blockMs?: number;
  /** How often the stream is trimmed and its lag measured. @default 1000 */
  readonly trimIntervalMs?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
}

/** Entries this replica has handled since start. */
export interface StreamTotals {
  /** Entries counted and acked by this replica. */
  acked: number;
  /** Entries taken over from a consumer that left them pending too long. */
  claimed: number;
  /** Entries this replica read but someone else had counted first (a reclaim race). */
  countedElsewhere: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * TRANSPORT=redis-stream: one member of the consumer group on `<prefix>:stream`. Reads a few
 * entries (new ones, or ones another consumer left pending longer than `claimIdleMs`), counts
 * their lines and commits counts + XACK in one script call, then reads again. Never holds
 * more than `readCount` entries, so a Redis outage costs nothing but time: unacked entries
 * stay in the stream. Also trims the stream below what the group has acked, every second.
 */
export class StreamSource {
  readonly counter: LineCounter;
  readonly totals: CommitterTotals = emptyTotals();
  readonly streamTotals: StreamTotals = { acked: 0, claimed: 0, countedElsewhere: 0 };
  /** The last measurement of the stream (length, pending, undelivered). */
  state: StreamState | undefined;
  private pending = new BatchAggregator();
  private heldEntries = 0;
  private seq = 0;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private trimTimer: NodeJS.Timeout | null = null;
  private readonly outage = new Outage();
  private nextClaimAt = 0;

  private readonly roller: BucketRoller;

  constructor(
    private readonly redis: Redis,
    /** A connection of its own for the blocking XREADGROUP, so commits never wait behind it. */
    private readonly reader: Redis,
    private readonly keys: KeyLayout,
    private readonly options: StreamSourceOptions,
    private readonly logger: Logger,
  ) {
    this.counter = new LineCounter(() => this.pending, options.retentionSeconds);
    this.roller = new BucketRoller(redis, keys, options.retentionSeconds, logger);
    this.seq = options.lease.lastSeq;
  }

  get failing(): boolean {
    return this.outage.failing;
  }

  get lastError(): string | undefined {
    return this.outage.lastError;
  }

  /** Entries read and not committed yet (at most STREAM_READ_COUNT). */
  get held(): number {
    return this.heldEntries;
  }

  start(): void {
    this.loop = this.run();
    const every = this.options.trimIntervalMs ?? 1_000;
    this.trimTimer = setInterval(() => void this.trim(), every);
  }

  /** Finishes the entries in hand (commits them), then stops reading. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.trimTimer) clearInterval(this.trimTimer);
    await this.loop;
  }

  private async run(): Promise<void> {
    const { ingestId, readCount, claimIdleMs } = this.options;
    let groupReady = false;
    // Entries a previous process with this consumer name (a fixed INGEST_ID) left pending.
    let ownBacklog = true;
    for (let attempt = 0; !this.stopping;) {
      let entries: StreamEntry[];
      try {
        if (!groupReady) {
          await ensureStreamGroup(this.redis, this.keys);
          groupReady = true;
        }
        entries = [];
        if (ownBacklog) {
          entries = await readOwnPendingEntries(this.redis, this.keys, ingestId, readCount);
          ownBacklog = entries.length > 0;
        }
        // Monotonic: a wall clock set back an hour must not stop reclaiming for an hour.
        const now = performance.now();
        if (entries.length === 0 && now >= this.nextClaimAt) {
          this.nextClaimAt = now + Math.min(Math.max(claimIdleMs / 2, 100), 5_000);
          entries = await claimIdleEntries(this.redis, this.keys, ingestId, claimIdleMs, readCount);
          this.streamTotals.claimed += entries.length;
          if (entries.length > 0) {
            this.logger.info(
              { event: 'stream_claimed', entries: entries.length },
              'took over idle entries',
            );
          }
        }
        if (entries.length === 0) {
          const blockMs = this.options.blockMs ?? 1_000;
          entries = await readNewEntries(this.reader, this.keys, ingestId, readCount, blockMs);
        }
        attempt = 0;
        this.markWorking();
      } catch (error) {
        this.recordFailure(error as Error, attempt);
        await sleep(this.backoff(attempt++));
        continue;
      }
      if (entries.length > 0) await this.commitEntries(entries);
    }
  }

  private backoff(attempt: number): number {
    return retryDelayMs(attempt, this.options.retryBaseMs, this.options.retryMaxMs);
  }

  /** Counts `entries` and commits them with their acks; retries until Redis has answered. */
  private async commitEntries(entries: StreamEntry[]): Promise<void> {
    let current = entries;
    this.heldEntries = current.length;
    let batch = this.countInto(this.counter, current);
    const seq = ++this.seq;
    for (let attempt = 0; current.length > 0;) {
      try {
        const ids = current.map((e) => e.id);
        const stamp = { ingestId: this.options.ingestId, seq, lease: this.options.lease.stamp };
        const windows = { retentionSeconds: this.options.retentionSeconds };
        const outcome = await commitStreamBatch(this.redis, this.keys, batch, stamp, windows, ids);
        if (outcome === 'stale') {
          // Another consumer counted some of them first: count only the rest, same seq.
          const pending = await stillPending(this.redis, this.keys, ids);
          this.streamTotals.countedElsewhere += current.length - pending.size;
          current = current.filter((e) => pending.has(e.id));
          batch = this.countInto(
            new LineCounter(() => this.pending, this.options.retentionSeconds),
            current,
          );
          continue;
        }
        this.recordSuccess(batch, current.length, outcome === 'duplicate');
        await this.roller.afterCommit(batch);
        break;
      } catch (error) {
        if (isLeaseLost(error)) {
          // Another process consumes as this id now; its entries stay pending for it.
          this.options.lease.markLost((error as Error).message);
          this.stopping = true;
          break;
        }
        this.recordFailure(error as Error, attempt);
        await sleep(this.backoff(attempt++));
      }
    }
    this.heldEntries = 0;
  }

  private countInto(counter: LineCounter, entries: readonly StreamEntry[]): Batch {
    for (const entry of entries) {
      counter.push(entry.lines);
      counter.endOfStream(); // an entry ends with a whole line
    }
    return this.pending.take();
  }

  private async trim(): Promise<void> {
    try {
      this.state = await trimStream(this.redis, this.keys);
    } catch (error) {
      this.logger.debug(
        { event: 'stream_trim_failed', err: (error as Error).message },
        'trim failed',
      );
    }
  }

  private recordSuccess(batch: Batch, entries: number, duplicate: boolean): void {
    this.totals.batches++;
    // A duplicate is this batch's own earlier attempt, applied but its reply lost.
    if (duplicate) this.totals.duplicates++;
    this.totals.events += batch.events;
    this.totals.malformedLines += batch.malformedLines;
    this.streamTotals.acked += entries;
    this.markWorking();
  }

  /** After any read or commit that Redis answered: no longer failing. */
  private markWorking(): void {
    const outageMs = this.outage.succeeded();
    if (outageMs === undefined) return;
    this.logger.info(
      { event: 'redis_recovered', outageMs },
      'Redis works again; reading the stream',
    );
  }

  private recordFailure(error: Error, attempt: number): void {
    this.totals.failedAttempts++;
    const failingForMs = this.outage.failed(error, attempt);
    if (failingForMs !== undefined) {
      this.logger.warn(
        { event: 'stream_retry', err: error.message, failingForMs },
        'stream read or commit failed; retrying (unacked entries stay in the stream)',
      );
    }
  }
}
