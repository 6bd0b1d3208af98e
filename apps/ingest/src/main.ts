// First: SIGTERM/SIGINT are caught from here on, while the modules below load (tens of ms).
import { stopSignals } from '@tally/lifecycle/process';
import { keyLayout } from '@tally/aggregation';
import { createLogger } from '@tally/logging';
import { loadConfigOrExit, redactUserInfo } from '@tally/settings';
import { loadConfig } from './app/config';
import { createSource, describeSource, prepareSource } from './app/sources';
import { serveHealth } from './app/wiring/health';
import { holdLease, ingestIdOf } from './app/wiring/lease';
import { createIngestLifecycle } from './app/wiring/lifecycle';
import { connectRedis } from './app/wiring/redis';
import { StatusBoard } from './app/wiring/status';

/**
 * The ingest's composition root: reads the settings, then in this order makes the FIFO (with
 * TRANSPORT=fifo), connects to Redis, serves /health, takes the lease on INGEST_ID and starts
 * the source. A stop signal at any point undoes what was set up, newest first.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit('ingest', () => loadConfig(process.env));
  const logger = loadConfigOrExit('ingest', () => createLogger('ingest', process.env));
  const life = createIngestLifecycle(stopSignals, logger);
  const ingestId = ingestIdOf(config);
  await prepareSource(config, life, logger);

  const { redis, connection } = connectRedis(config, life, logger);
  const waitingFor = `waiting for the lease on INGEST_ID "${ingestId}"`;
  const board = new StatusBoard(config.transport, connection, waitingFor);
  await serveHealth(config, () => board.read(), life, logger);

  const keys = keyLayout(config.keyPrefix);
  const lease = await holdLease(config, ingestId, redis, keys, life, logger);
  const source = createSource(config, { redis, keys, writer: { ingestId, lease }, logger });
  board.attach(source);
  source.start();
  life.running(() => source.stop());
  logger.info(
    {
      event: 'started',
      ingestId,
      continuesAtSeq: lease.lastSeq + 1,
      keyPrefix: config.keyPrefix,
      ...describeSource(config),
      health: `http://${config.healthHost}:${config.healthPort}/health`,
    },
    'ingest started',
  );
}

main().catch((error: Error) => {
  process.stderr.write(`ingest: ${redactUserInfo(error.stack ?? error.message)}\n`);
  process.exit(1);
});
