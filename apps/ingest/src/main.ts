// First: SIGTERM/SIGINT are caught from here on, while the modules below load (tens of ms).
import { stopSignals } from '@tally/lifecycle/process';
import { keyLayout } from '@tally/aggregation';
import { loadConfigOrExit, redactUserInfo } from '@tally/settings';
import pino from 'pino';
import { loadConfig } from './app/config';
import { serveHealth } from './app/health-endpoint';
import { holdLease, ingestIdOf } from './app/lease';
import { createIngestLifecycle } from './app/lifecycle';
import { createIngestRedis, trackConnection } from './app/redis-client';
import { createSource, prepareSource, type Source, startingStatus } from './app/sources';

async function main(): Promise<void> {
  const config = loadConfigOrExit('ingest', () => loadConfig(process.env));
  const logger = pino({ base: { app: 'ingest' } });
  const life = createIngestLifecycle(stopSignals, logger);
  const ingestId = ingestIdOf(config);
  await prepareSource(config, life, logger);

  const redis = createIngestRedis(config.redisUrl, logger.child({ component: 'redis' }));
  life.defer(() =>
    redis.quit().then(
      () => undefined,
      () => redis.disconnect(),
    ),
  );
  const connection = trackConnection(redis);

  // Set once start-up is done; /health reads it from the first request on.
  const running: { source?: Source } = {};
  const waitingFor = `waiting for the lease on INGEST_ID "${ingestId}"`;
  const status = () => running.source?.status() ?? startingStatus(config, connection(), waitingFor);
  await serveHealth(config, status, life, logger);

  const keys = keyLayout(config.keyPrefix);
  const lease = await holdLease(config, ingestId, redis, keys, life, logger);
  const started = createSource(config, {
    redis,
    keys,
    writer: { ingestId, lease },
    connection,
    logger,
  });
  running.source = started;
  started.start();
  life.running(() => started.stop());
  logger.info(
    {
      event: 'started',
      ingestId,
      continuesAtSeq: lease.lastSeq + 1,
      keyPrefix: config.keyPrefix,
      transport: config.transport,
      fifoPath: config.transport === 'fifo' ? config.fifoPath : undefined,
      health: `http://${config.healthHost}:${config.healthPort}/health`,
    },
    'ingest started',
  );
}

main().catch((error: Error) => {
  process.stderr.write(`ingest: ${redactUserInfo(error.stack ?? error.message)}\n`);
  process.exit(1);
});
