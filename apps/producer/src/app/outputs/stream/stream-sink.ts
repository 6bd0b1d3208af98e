import {
  appendStreamEntry,
  BatchRejectedError,
  type KeyLayout,
  trimStream,
  type WriterLease,
} from '@tally/aggregation';
import { Redis } from 'ioredis';
import { OutputClosedError } from '../output-closed';

/**
 * An entry holds whole lines only, and is cut before its lines (each with its `\n`) would pass
 * this many bytes, or at STREAM_ENTRY_LINES lines, whichever comes first. A single line longer
 * than this is an entry of its own (at most 1 MiB + 1 bytes: WholeLineChunker cuts longer ones).
 * The ingest counts each entry as ending with a whole line.
 */
export const STREAM_ENTRY_MAX_BYTES = 64 * 1024;

const NEWLINE = 0x0a;

/** Longest wait between two attempts while the stream is full. */
const FULL_POLL_MAX_MS = 50;

export interface StreamSinkOptions {
  readonly producerId: string;
  /**
   * This process's lease on `producerId`: entries are numbered on from its `lastSeq` (so a
   * restart with a fixed PRODUCER_ID is never taken for a retry) and carry its stamp.
   */
  readonly lease: WriterLease;
  /** STREAM_ENTRY_LINES */
  readonly entryLines: number;
  /** STREAM_MAX_LEN: the producer waits while the stream holds this many entries. */
  readonly maxLength: number;
  /** Longest a line waits in memory for its entry to fill up (slow RATE). @default 100 */
  readonly lingerMs?: number;
  /** Backoff between attempts (full stream, Redis away): first delay and cap, in ms. */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** Called when a wait starts (stream full, or Redis failing), once per wait (for a log line). */
  readonly onWait?: (reason: 'full' | 'error', detail?: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * TRANSPORT=redis-stream: gathers whole lines into entries of up to STREAM_ENTRY_LINES lines
 * and 64 KiB (see {@link STREAM_ENTRY_MAX_BYTES}) and appends each one exactly once
 * (append-stream.lua, per producer id and sequence). `write` resolves once its lines are
 * buffered or appended; it waits (never drops) while the stream is full or Redis is away,
 * which is the backpressure the Producer loop expects. Memory: one entry being filled (views
 * of the last write's bytes, which it keeps alive for at most `lingerMs`), one being appended.
 */
export class StreamSink {
  private parts: Buffer[] = [];
  private bytes = 0;
  private lines = 0;
  private seq = 0;
  private chain: Promise<void> = Promise.resolve();
  private lingerTimer: NodeJS.Timeout | null = null;
  private waiting = false;
  private closing: Promise<void> | undefined;
  /** Entries and lines appended so far. */
  readonly appended = { entries: 0, lines: 0 };

  constructor(
    private readonly redis: Redis,
    private readonly keys: KeyLayout,
    private readonly options: StreamSinkOptions,
  ) {
    this.seq = options.lease.lastSeq;
  }

  /** True while an append waits for room in the stream or for Redis. */
  get isWaiting(): boolean {
    return this.waiting;
  }

  /**
   * Lines (each gets a `\n`) or whole `\n`-terminated lines as bytes (GENERATOR_CMD). The
   * bytes are kept by reference until their entry is appended: do not reuse them.
   * @throws RangeError (as a rejection) when `input` bytes do not end with a `\n`
   */
  write(input: readonly string[] | Buffer): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(new OutputClosedError(this.keys.stream));
    const run = async () => {
      const bytes = Buffer.isBuffer(input)
        ? input
        : Buffer.from(input.length === 0 ? '' : `${input.join('\n')}\n`);
      if (bytes.length > 0 && bytes[bytes.length - 1] !== NEWLINE) {
        throw new RangeError('StreamSink.write: bytes must be whole lines, ending with a \\n');
      }
      await this.addLines(bytes);
      if (this.lines > 0 && this.lingerTimer === null) {
        this.lingerTimer = setTimeout(() => {
          this.lingerTimer = null;
          void this.flush().catch(() => undefined); // a later write or close reports errors
        }, this.options.lingerMs ?? 100);
      }
    };
    this.chain = this.chain.then(run, run);
    return this.chain;
  }

  /** Appends whatever is buffered. */
  flush(): Promise<void> {
    const run = () => this.appendBuffered();
    this.chain = this.chain.then(run, run);
    return this.chain;
  }

  /**
   * Appends everything written before this call, then accepts no more writes (they reject
   * with OutputClosedError). Idempotent. The Redis client is the caller's to close (it also
   * gives the lease back through it).
   */
  close(): Promise<void> {
    this.closing ??= this.flush().finally(() => {
      if (this.lingerTimer) clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
    });
    return this.closing;
  }

  private async trimmed(): Promise<boolean> {
    try {
      return (await trimStream(this.redis, this.keys)).trimmed > 0;
    } catch {
      return false; // Redis away: the append's own retry reports and backs off
    }
  }

  /**
   * Adds the lines of `bytes` to the entry being filled, appending it first whenever the next
   * line would take it past 64 KiB, and as soon as it is full. Lines next to each other in
   * `bytes` go into the entry as one view (no copy, no Buffer per line).
   */
  private async addLines(bytes: Buffer): Promise<void> {
    const { entryLines } = this.options;
    let run = 0; // start of the lines of `bytes` taken but not yet in `parts`
    for (let at = 0; at < bytes.length;) {
      const end = bytes.indexOf(NEWLINE, at) + 1; // found: `bytes` ends with a `\n`
      const size = end - at;
      if (this.lines > 0 && this.bytes + size > STREAM_ENTRY_MAX_BYTES) {
        this.takeRun(bytes, run, at);
        run = at;
        await this.appendBuffered();
      }
      this.bytes += size;
      this.lines++;
      at = end;
      if (this.lines >= entryLines || this.bytes >= STREAM_ENTRY_MAX_BYTES) {
        this.takeRun(bytes, run, at);
        run = at;
        await this.appendBuffered();
      }
    }
    this.takeRun(bytes, run, bytes.length);
  }

  /** Puts bytes[from, to) (lines already counted in `bytes`/`lines`) into the entry. */
  private takeRun(bytes: Buffer, from: number, to: number): void {
    if (to > from) this.parts.push(bytes.subarray(from, to));
  }

  private async appendBuffered(): Promise<void> {
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
    }
    if (this.bytes === 0) return;
    const joined = Buffer.concat(this.parts);
    // The entry holds the lines joined by `\n`: the last one's `\n` is implied.
    const entry = joined.subarray(0, -1); // whole lines only: it ends with a `\n`
    const lines = this.lines;
    this.parts = [];
    this.bytes = 0;
    this.lines = 0;
    const seq = ++this.seq;
    const { producerId, maxLength, lease } = this.options;
    for (let attempt = 0; ; attempt++) {
      let outcome: string;
      let detail: string | undefined;
      try {
        outcome = await appendStreamEntry(
          this.redis,
          this.keys,
          producerId,
          seq,
          entry,
          maxLength,
          lease.stamp,
        );
      } catch (error) {
        if (error instanceof BatchRejectedError && error.code === 'ERR_LEASE_LOST') {
          // Another process appends as this id now: never retry (the seq is no longer ours).
          lease.markLost(error.message);
          throw error;
        }
        outcome = 'error';
        detail = (error as Error).message;
      }
      if (outcome === 'appended' || outcome === 'duplicate') break;
      // Full: maybe only of entries the consumers have acked already (the ingest trims every
      // second); trimming them now (never a pending or unread entry) avoids the wait.
      if (outcome === 'full' && (await this.trimmed())) {
        attempt = -1;
        continue;
      }
      // One log line per wait, not per entry, however long the backpressure lasts.
      if (!this.waiting) this.options.onWait?.(outcome === 'full' ? 'full' : 'error', detail);
      this.waiting = true;
      // A full stream is polled often (it drains fast); a failing Redis is backed off further.
      const cap = outcome === 'full' ? FULL_POLL_MAX_MS : (this.options.retryMaxMs ?? 1_000);
      const base = this.options.retryBaseMs ?? 10;
      await sleep(Math.min(base * 2 ** Math.min(attempt, 10), cap));
    }
    this.waiting = false;
    this.appended.entries++;
    this.appended.lines += lines;
  }
}

/**
 * The producer's Redis client: fails fast (no offline queue, no resend) because StreamSink
 * owns the retries and must know whether an attempt failed; an append retried after a lost
 * reply is harmless (same producer id and sequence). Reconnects forever, backing off to 2 s.
 */
export function createProducerRedis(url: string): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: 10_000,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
    connectionName: 'tally-producer',
  });
}
