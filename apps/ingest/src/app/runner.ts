import type { KeyLayout, WriterLease } from '@tally/aggregation';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { emptyTotals } from './committer';
import type { IngestConfig } from './config';
import type { IngestStatus } from './health-server';
import { IngestService } from './ingest-service';
import { createIngestRedis } from './redis-client';
import { StreamSource } from './stream-source';

/** What main drives: the FIFO reader (IngestService) or a consumer of the Redis stream. */
export interface Runner {
  start(): void;
  /** Finishes and stores the work in hand, then releases what the runner opened itself. */
  stop(): Promise<void>;
  status(): IngestStatus;
}

/** The Redis client's side of the status: its state and last (safe to show) error. */
export type ConnectionStatus = Pick<IngestStatus, 'redisStatus' | 'lastRedisError'>;

/** The writer this process is: its id, and its lease on that id (taken before reading). */
export interface Writer {
  readonly ingestId: string;
  readonly lease: WriterLease;
}

/**
 * The runner for `config.transport`, writing as `writer` through `redis` (the stream source
 * opens a second connection of its own for its blocking reads, closed by `stop`).
 */
export function createRunner(
  config: IngestConfig,
  redis: Redis,
  keys: KeyLayout,
  writer: Writer,
  connection: () => ConnectionStatus,
  logger: Logger,
): Runner {
  if (config.transport === 'fifo') {
    const service = new IngestService(config, redis, keys, writer, logger);
    const { committer, counter } = service;
    return {
      start: () => service.start(),
      stop: () => service.stop(),
      status: () => ({
        ...connection(),
        redisFailing: committer.failing,
        lastWriteError: committer.lastError,
        readerPaused: service.readerPaused,
        heldKeys: committer.heldKeys,
        read: counter.totals,
        stored: committer.totals,
      }),
    };
  }
  const reader = createIngestRedis(config.redisUrl, logger.child({ component: 'redis-reader' }));
  const source = new StreamSource(
    redis,
    reader,
    keys,
    {
      ingestId: writer.ingestId,
      lease: writer.lease,
      retentionSeconds: config.windowRetentionSeconds,
      claimIdleMs: config.streamClaimIdleMs,
      readCount: config.streamReadCount,
    },
    logger.child({ component: 'stream' }),
  );
  return {
    start: () => source.start(),
    stop: async () => {
      await source.stop();
      await reader.quit().catch(() => reader.disconnect());
    },
    status: () => ({
      ...connection(),
      redisFailing: source.failing,
      lastWriteError: source.lastError,
      readerPaused: false,
      heldKeys: 0,
      read: source.counter.totals,
      stored: source.totals,
      stream: { ...source.streamTotals, ...source.state },
    }),
  };
}

/**
 * The status while start-up waits (for the lease): nothing read, nothing stored yet. With
 * the stream transport it has a `stream` part from the start, so that /metrics (whose
 * registry is built once, from the first status) has the stream metrics.
 */
export function startingStatus(
  config: IngestConfig,
  connection: ConnectionStatus,
  waitingFor: string,
): IngestStatus {
  return {
    ...connection,
    starting: waitingFor,
    redisFailing: false,
    readerPaused: true,
    heldKeys: 0,
    read: { events: 0, malformedLines: 0, blankLines: 0, outsideWindow: { old: 0, future: 0 } },
    stored: emptyTotals(),
    stream:
      config.transport === 'redis-stream'
        ? { acked: 0, claimed: 0, countedElsewhere: 0 }
        : undefined,
  };
}
