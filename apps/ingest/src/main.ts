import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { keyLayout } from '@tally/aggregation';
import { ensureFifo } from '@tally/fifo';
import { loadConfigOrExit, SettingError } from '@tally/settings';
import pino from 'pino';
import { loadConfig } from './app/config';
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
  const service = new IngestService(config, redis, keyLayout(config.keyPrefix), ingestId, logger);
  service.start();
  logger.info(
    { event: 'started', ingestId, keyPrefix: config.keyPrefix, fifoPath: config.fifoPath },
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
    service
      .stop()
      .then(async () => {
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
