import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { keyLayout } from '@tally/aggregation';
import { ensureFifo } from '@tally/fifo';
import { loadConfigOrExit, SettingError } from '@tally/settings';
import pino from 'pino';
import { loadConfig } from './app/config';
import { closeServer, createHealthServer, type IngestStatus, listenOn } from './app/health-server';
import { IngestService } from './app/ingest-service';
import { createIngestRedis } from './app/redis-client';
import { StreamSource } from './app/stream-source';

/** What main drives: the FIFO reader (IngestService) or a consumer of the Redis stream. */
interface Runner {
  start(): void;
  stop(): Promise<void>;
  status(): IngestStatus;
}

async function main(): Promise<void> {
  const config = loadConfigOrExit('ingest', () => loadConfig(process.env));
  const logger = pino({ base: { app: 'ingest' } });
  const ingestId = config.ingestId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

  if (config.transport === 'fifo') {
    try {
      const made = await ensureFifo(config.fifoPath);
      logger.info({ event: 'fifo_ready', path: config.fifoPath, made }, 'FIFO ready');
    } catch (error) {
      if (error instanceof SettingError) {
        process.stderr.write(`ingest: ${error.message}\n`);
        process.exit(1);
      }
      throw error;
    }
  }

  const redis = createIngestRedis(config.redisUrl, logger.child({ component: 'redis' }));
  let lastRedisError: string | undefined;
  redis.on('error', (error: Error) => (lastRedisError = error.message));
  redis.on('ready', () => (lastRedisError = undefined));
  const keys = keyLayout(config.keyPrefix);
  const connection = () => ({ redisStatus: redis.status, lastRedisError });
  let runner: Runner;
  let reader: ReturnType<typeof createIngestRedis> | undefined;
  if (config.transport === 'fifo') {
    const service = new IngestService(config, redis, keys, ingestId, logger);
    const { committer, counter } = service;
    runner = {
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
  } else {
    reader = createIngestRedis(config.redisUrl, logger.child({ component: 'redis-reader' }));
    const source = new StreamSource(
      redis,
      reader,
      keys,
      {
        ingestId,
        retentionSeconds: config.windowRetentionSeconds,
        claimIdleMs: config.streamClaimIdleMs,
        readCount: config.streamReadCount,
      },
      logger.child({ component: 'stream' }),
    );
    runner = {
      start: () => source.start(),
      stop: () => source.stop(),
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
  const status = runner.status;
  const health = createHealthServer(status);
  try {
    // Before the first line is read: an ingest whose health cannot be watched does not start.
    await listenOn(health, config.healthPort, config.healthHost);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    process.stderr.write(
      `ingest: cannot listen on ${config.healthHost}:${config.healthPort} (HEALTH_HOST, HEALTH_PORT): ${code ?? message}\n`,
    );
    process.exit(1);
  }

  runner.start();
  logger.info(
    {
      event: 'started',
      ingestId,
      keyPrefix: config.keyPrefix,
      transport: config.transport,
      fifoPath: config.transport === 'fifo' ? config.fifoPath : undefined,
      health: `http://${config.healthHost}:${config.healthPort}/health`,
    },
    'ingest started',
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(
        { event: 'signal_ignored', signal },
        'already shutting down; storing what was read',
      );
      return;
    }
    stopping = true;
    logger.info({ event: 'shutdown', signal }, 'shutting down');
    // /health keeps answering while the counts already read are stored (maybe waiting for Redis).
    runner
      .stop()
      .then(async () => {
        await closeServer(health);
        await redis.quit().catch(() => redis.disconnect());
        await reader?.quit().catch(() => reader?.disconnect());
        logger.flush();
        process.exit(0);
      })
      .catch((error: Error) => {
        logger.fatal({ event: 'shutdown_failed', err: error.message }, 'shutdown failed');
        logger.flush();
        process.exit(1);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: Error) => {
  process.stderr.write(`ingest: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
