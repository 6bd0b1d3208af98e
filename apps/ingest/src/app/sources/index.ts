import type { KeyLayout } from '@tally/aggregation';
import type { Lifecycle } from '@tally/lifecycle';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { emptyTotals } from '../commit/committer';
import type { IngestConfig } from '../config';
import { createIngestRedis } from '../redis-client';
import { ensureFifoReady, FifoSource } from './fifo-source';
import type { Source, SourceStatus, Writer } from './source';
import { StreamSource } from './stream-source';

export type { Source, SourceStatus, Writer } from './source';

/** What a source is built from besides the config. */
export interface SourceDeps {
  /** The connection counts are written through. */
  readonly redis: Redis;
  readonly keys: KeyLayout;
  readonly writer: Writer;
  readonly logger: Logger;
}

/**
 * What the transport needs before anything else is opened: the FIFO itself (exits 1 with one
 * line when FIFO_PATH cannot be one). Nothing for the stream.
 */
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
  const { redis, keys, writer, logger } = deps;
  if (config.transport === 'fifo') return new FifoSource(config, redis, keys, writer, logger);
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
    status: () => source.status(),
  };
}

/** What the `started` log line says of the source. */
export function describeSource(config: IngestConfig): {
  transport: IngestConfig['transport'];
  fifoPath?: string;
} {
  return {
    transport: config.transport,
    fifoPath: config.transport === 'fifo' ? config.fifoPath : undefined,
  };
}

/**
 * A source's status before it exists (start-up waits for the lease): nothing read, nothing
 * stored yet. With the stream transport it has a `stream` part from the start, so that
 * /metrics (whose registry is built once, from the first status) has the stream metrics.
 */
export function notStartedStatus(transport: IngestConfig['transport']): SourceStatus {
  return {
    redisFailing: false,
    readerPaused: true,
    heldKeys: 0,
    read: { events: 0, malformedLines: 0, blankLines: 0, outsideWindow: { old: 0, future: 0 } },
    stored: emptyTotals(),
    stream:
      transport === 'redis-stream' ? { acked: 0, claimed: 0, countedElsewhere: 0 } : undefined,
  };
}
