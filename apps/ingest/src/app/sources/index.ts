import type { KeyLayout, WriterLease } from '@tally/aggregation';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { emptyTotals } from '../committer';
import type { IngestConfig } from '../config';
import type { IngestStatus } from '../health-server';
import { createIngestRedis } from '../redis-client';
import type { Lifecycle } from '@tally/lifecycle';
import { ensureFifoReady, FifoSource } from './fifo-source';
import type { ConnectionStatus, Source } from './source';
import { StreamSource } from './stream-source';

export type { ConnectionStatus, Source } from './source';

/** The writer this process is: its id, and its lease on that id (taken before reading). */
export interface Writer {
  readonly ingestId: string;
  readonly lease: WriterLease;
}

/** What a source is built from besides the config. */
export interface SourceDeps {
  /** The connection counts are written through. */
  readonly redis: Redis;
  readonly keys: KeyLayout;
  readonly writer: Writer;
  /** The state of `redis`, for the status. */
  readonly connection: () => ConnectionStatus;
  readonly logger: Logger;
}

/** What the transport needs before anything else is opened (the FIFO itself). */
export async function prepareSource(
  config: IngestConfig,
  life: Lifecycle,
  logger: Logger,
): Promise<void> {
  if (config.transport === 'fifo') await ensureFifoReady(config.fifoPath, life, logger);
}

/**
 * The source for `config.transport`, writing as `deps.writer` through `deps.redis` (the stream
 * source opens a second connection of its own for its blocking reads, closed by `stop`).
 */
export function createSource(config: IngestConfig, deps: SourceDeps): Source {
  const { redis, keys, writer, connection, logger } = deps;
  if (config.transport === 'fifo') {
    return new FifoSource(config, redis, keys, writer, logger, connection);
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
    connection,
  );
  return {
    start: () => source.start(),
    stop: async () => {
      await source.stop();
      await reader.quit().catch(() => reader.disconnect());
    },
    status: () => source.status(),
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
