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
import { BucketRoller } from '../commit/bucket-roller';
import { type Commit, Committer, type CommitterTotals, type OutageLog } from '../commit/committer';
import { LineCounter } from '../line-counter';
import type { Source, SourceStatus } from './source';

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
export class StreamSource implements Source {
  readonly streamTotals: StreamTotals = { acked: 0, claimed: 0, countedElsewhere: 0 };
  /** The last measurement of the stream (length, pending, undelivered). */
  state: StreamState | undefined;
  private readonly counter: LineCounter;
  private readonly pending = new BatchAggregator();
  private heldEntries = 0;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private trimTimer: NodeJS.Timeout | null = null;
  private nextClaimAt = 0;
  /** The one commit loop (seq, outage, roll-ups, totals); its write also acks the entries. */
  private readonly committer: Committer;

  constructor(
    private readonly redis: Redis,
    /** A connection of its own for the blocking XREADGROUP, so commits never wait behind it. */
    private readonly reader: Redis,
    private readonly keys: KeyLayout,
    private readonly options: StreamSourceOptions,
    private readonly logger: Logger,
  ) {
    this.counter = new LineCounter(() => this.pending, options.retentionSeconds);
    this.committer = new Committer(
      {
        ingestId: options.ingestId,
        lease: options.lease,
        retryBaseMs: options.retryBaseMs,
        retryMaxMs: options.retryMaxMs,
      },
      streamOutageLog(logger),
      new BucketRoller(redis, keys, options.retentionSeconds, logger),
    );
  }

  /** What this replica stored (batches, events, duplicates, failed attempts). */
  get totals(): CommitterTotals {
    return this.committer.totals;
  }

  status(): SourceStatus {
    return {
      redisFailing: this.committer.failing,
      lastWriteError: this.committer.lastError,
      readerPaused: false,
      heldKeys: 0,
      read: this.counter.totals,
      stored: this.totals,
      stream: { ...this.streamTotals, ...this.state },
    };
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
        this.committer.markWorking();
      } catch (error) {
        this.committer.recordFailure(error as Error, attempt);
        await sleep(this.committer.backoffMs(attempt++));
        continue;
      }
      if (entries.length > 0) await this.commitEntries(entries);
    }
  }

  /** Counts `entries` and commits them with their acks; retries until Redis has answered. */
  private async commitEntries(entries: StreamEntry[]): Promise<void> {
    this.heldEntries = entries.length;
    // Lease lost: another process consumes as this id now; its entries stay pending for it.
    if (!(await this.committer.store(this.entriesCommit(entries)))) this.stopping = true;
    this.heldEntries = 0;
  }

  /**
   * The stream's write: the counts of `entries` and their XACKs in one script call. Entries
   * another consumer counted first (a reclaim race) are dropped and the rest recounted, under
   * the same seq; nothing was written by the refused call.
   */
  private entriesCommit(entries: StreamEntry[]): Commit {
    let current = entries;
    let batch = this.countInto(this.counter, current);
    const windows = { retentionSeconds: this.options.retentionSeconds };
    return {
      get batch() {
        return batch;
      },
      write: async (stamp) => {
        while (current.length > 0) {
          const ids = current.map((e) => e.id);
          const outcome = await commitStreamBatch(
            this.redis,
            this.keys,
            batch,
            stamp,
            windows,
            ids,
          );
          if (outcome !== 'stale') {
            this.streamTotals.acked += current.length;
            return outcome;
          }
          // Another consumer counted some of them first: count only the rest, same seq.
          const pending = await stillPending(this.redis, this.keys, ids);
          this.streamTotals.countedElsewhere += current.length - pending.size;
          current = current.filter((e) => pending.has(e.id));
          batch = this.countInto(
            new LineCounter(() => this.pending, this.options.retentionSeconds),
            current,
          );
        }
        return 'nothing-left';
      },
    };
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
}

/** The stream's outage lines: one event for a failed read or commit, then Redis working. */
function streamOutageLog(logger: Logger): OutageLog {
  return {
    retrying(error, failingForMs) {
      logger.warn(
        { event: 'stream_retry', err: error.message, failingForMs },
        'stream read or commit failed; retrying (unacked entries stay in the stream)',
      );
    },
    recovered(outageMs) {
      logger.info({ event: 'redis_recovered', outageMs }, 'Redis works again; reading the stream');
    },
  };
}
