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

async function main(): Promise<void> {
  const config = loadConfigOrExit('ingest', () => loadConfig(process.env));
  const logger = pino({ base: { app: 'ingest' } });
  const ingestId = config.ingestId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

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

  const redis = createIngestRedis(config.redisUrl, logger.child({ component: 'redis' }));
  let lastRedisError: string | undefined;
  redis.on('error', (error: Error) => (lastRedisError = error.message));
  redis.on('ready', () => (lastRedisError = undefined));
  const service = new IngestService(config, redis, keyLayout(config.keyPrefix), ingestId, logger);

  const { committer, counter } = service;
  const status = (): IngestStatus => ({
    redisStatus: redis.status,
    lastRedisError,
    redisFailing: committer.failing,
    lastWriteError: committer.lastError,
    readerPaused: service.readerPaused,
    heldKeys: committer.heldKeys,
    read: counter.totals,
    stored: committer.totals,
  });
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

  service.start();
  logger.info(
    {
      event: 'started',
      ingestId,
      keyPrefix: config.keyPrefix,
      fifoPath: config.fifoPath,
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
    service
      .stop()
      .then(async () => {
        await closeServer(health);
        await redis.quit().catch(() => redis.disconnect());
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
