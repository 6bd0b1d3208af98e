import type { KeyLayout } from '@tally/aggregation';
import { ensureFifo, FifoReader, FifoReplacedError } from '@tally/fifo';
import type { Lifecycle } from '@tally/lifecycle';
import { SettingError } from '@tally/settings';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Batcher, batchOutageLog } from '../commit/batcher';
import { BucketRoller } from '../commit/bucket-roller';
import { applyBatch, Committer } from '../commit/committer';
import type { IngestConfig } from '../config';
import { LineCounter } from '../line-counter';
import { refuse } from '../wiring/refuse';
import type { Source, SourceStatus, Writer } from './source';

/** How long shutdown waits for the `\n` of a line it is in the middle of (SPEC §5). */
export const SHUTDOWN_LINE_WAIT_MS = 2_000;

/** Makes FIFO_PATH a FIFO if nothing is there; exits 1 with one line if it cannot be one. */
export async function ensureFifoReady(
  fifoPath: string,
  life: Lifecycle,
  logger: Logger,
): Promise<void> {
  try {
    const made = await life.during(ensureFifo(fifoPath));
    logger.info({ event: 'fifo_ready', path: fifoPath, made }, 'FIFO ready');
  } catch (error) {
    if (error instanceof SettingError) refuse(error.message);
    throw error;
  }
}

/**
 * TRANSPORT=fifo: FIFO -> lines -> counts -> Redis. Reading stops while the batcher holds
 * `maxPendingKeys` distinct keys (Redis away), so memory stays bounded and the producer is
 * slowed down by the full pipe instead of losing lines.
 */
export class FifoSource implements Source {
  private readonly committer: Committer;
  private readonly batcher: Batcher;
  private readonly counter: LineCounter;
  private readonly reader: FifoReader;
  private stopping = false;
  private summaryTimer: NodeJS.Timeout | null = null;

  constructor(
    config: IngestConfig,
    redis: Redis,
    keys: KeyLayout,
    writer: Writer,
    private readonly logger: Logger,
  ) {
    const retentionSeconds = config.windowRetentionSeconds;
    const committerLogger = logger.child({ component: 'committer' });
    this.committer = new Committer(
      { ingestId: writer.ingestId, lease: writer.lease },
      batchOutageLog(committerLogger, () => this.batcher.heldKeys),
      new BucketRoller(redis, keys, retentionSeconds, committerLogger),
    );
    this.batcher = new Batcher(
      this.committer,
      applyBatch(redis, keys, retentionSeconds),
      {
        flushIntervalMs: config.flushIntervalMs,
        batchMaxKeys: config.batchMaxKeys,
        maxPendingKeys: config.maxPendingKeys,
      },
      (overloaded) => this.onPressure(overloaded),
    );
    this.counter = new LineCounter(() => this.batcher.pending, retentionSeconds);
    const countBytes = (bytes: Buffer) => {
      this.counter.push(bytes);
      this.batcher.afterCounting();
    };
    this.reader = new FifoReader(config.fifoPath, {
      onChunk: countBytes,
      // Without a copy per read: the counter uses the bytes at once (the line splitter
      // copies only an unterminated tail into its own buffer).
      onBytes: countBytes,
      onEof: () => {
        this.counter.endOfStream();
        // Every writer closed: nothing more is coming for now, so store without waiting for
        // the flush interval.
        this.batcher.afterCounting();
        this.batcher.flushNow();
        this.logger.info(
          { event: 'fifo_eof', read: this.counter.totals },
          'every writer closed the FIFO; waiting for the next',
        );
      },
      onOpen: () =>
        this.logger.info({ event: 'fifo_open', path: config.fifoPath }, 'a writer opened the FIFO'),
      // At most one line per 2 s while it lasts: the reader backs off to 2 s between attempts.
      onError: (error) =>
        error instanceof FifoReplacedError
          ? this.logger.error(
              { event: 'fifo_replaced', path: error.path, found: error.found, err: error.message },
              'FIFO_PATH is not a FIFO: not reading what is there; retrying until a FIFO is',
            )
          : this.logger.error(
              { event: 'fifo_error', err: error.message },
              'FIFO read error; reopening',
            ),
    });
  }

  /** True while the FIFO is not being read (backpressure, or shutting down). */
  get readerPaused(): boolean {
    return this.reader.isPaused;
  }

  status(): SourceStatus {
    const { committer, counter } = this;
    return {
      redisFailing: committer.failing,
      lastWriteError: committer.lastError,
      readerPaused: this.readerPaused,
      heldKeys: this.batcher.heldKeys,
      read: counter.totals,
      stored: committer.totals,
    };
  }

  start(summaryEveryMs = 10_000): void {
    this.reader.start();
    this.summaryTimer = setInterval(() => this.logSummary(), summaryEveryMs);
    this.summaryTimer.unref();
  }

  private onPressure(overloaded: boolean): void {
    if (overloaded && !this.reader.isPaused) {
      this.reader.pause();
      this.logger.warn(
        { event: 'backpressure_on', heldKeys: this.batcher.heldKeys },
        'holding the maximum of pending counts; stopped reading the FIFO until Redis catches up',
      );
    } else if (!overloaded && this.reader.isPaused && !this.stopping) {
      this.reader.resume();
      this.logger.info({ event: 'backpressure_off' }, 'reading the FIFO again');
    }
  }

  /**
   * SPEC §5 shutdown: finish the line being read (up to 2 s for its `\n`, else take it as it
   * stands), store every count read, and only then close the FIFO.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.reader.pause();
    if (this.counter.midLine) {
      await this.reader.readRestOfLine(SHUTDOWN_LINE_WAIT_MS, (bytes) => this.counter.push(bytes));
      // No `\n` within the limit (or every writer closed): the line is taken as it stands.
      if (this.counter.midLine) this.counter.endOfStream();
    }
    this.batcher.afterCounting();
    const held = this.batcher.heldKeys;
    if (held > 0 && this.committer.failing) {
      this.logger.warn(
        { event: 'shutdown_waiting_for_redis', heldKeys: held },
        'shutting down: waiting for Redis to store the counts already read',
      );
    }
    await this.batcher.drain();
    this.batcher.stopTimer();
    await this.reader.close();
    if (this.summaryTimer) clearInterval(this.summaryTimer);
    this.logSummary('stopped');
  }

  private logSummary(msg = 'progress'): void {
    this.logger.info(
      {
        event: 'summary',
        read: this.counter.totals,
        stored: this.committer.totals,
        heldKeys: this.batcher.heldKeys,
        readerPaused: this.reader.isPaused,
        redisFailing: this.committer.failing,
      },
      msg,
    );
  }
}
