// First: SIGTERM/SIGINT are caught from here on, while the modules below load (tens of ms).
import { stopSignals } from '@tally/lifecycle/process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { keyLayout, LeaseHeldError, redisFailureReason, WriterLease } from '@tally/aggregation';
import { ensureFifo } from '@tally/fifo';
import { Lifecycle } from '@tally/lifecycle';
import { loadConfigOrExit, redactUserInfo, SettingError } from '@tally/settings';
import pino from 'pino';
import { loadConfig } from './app/config';
import { closeServer, createHealthServer, listenOn } from './app/health-server';
import { createIngestRedis } from './app/redis-client';
import { createRunner, type Runner, startingStatus } from './app/runner';

/** One line on stderr, then exit 1 (an invalid setting, a taken id or port). */
function refuse(message: string): never {
  process.stderr.write(`ingest: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const config = loadConfigOrExit('ingest', () => loadConfig(process.env));
  const logger = pino({ base: { app: 'ingest' } });
  const life = new Lifecycle({
    signals: stopSignals,
    exit: (code) => {
      logger.flush();
      process.exit(code);
    },
    onStop: (signal, phase) =>
      logger.info(
        { event: 'shutdown', signal, phase },
        phase === 'running' ? 'shutting down' : 'stopping during start-up; nothing was read',
      ),
    onRepeat: (signal) =>
      logger.warn(
        { event: 'signal_ignored', signal },
        'already shutting down; storing what was read',
      ),
    onCleanupError: (error) =>
      logger.error(
        { event: 'shutdown_step_failed', err: (error as Error).message },
        'stop step failed',
      ),
  });
  const ingestId = config.ingestId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

  if (config.transport === 'fifo') {
    try {
      const made = await life.during(ensureFifo(config.fifoPath));
      logger.info({ event: 'fifo_ready', path: config.fifoPath, made }, 'FIFO ready');
    } catch (error) {
      if (error instanceof SettingError) refuse(error.message);
      throw error;
    }
  }

  const redis = createIngestRedis(config.redisUrl, logger.child({ component: 'redis' }));
  life.defer(() =>
    redis.quit().then(
      () => undefined,
      () => redis.disconnect(),
    ),
  );
  // What /health may show of a Redis error: a short reason, never an address or a password.
  let lastRedisError: string | undefined;
  redis.on('error', (error: Error) => {
    lastRedisError = redisFailureReason(error) ?? redactUserInfo(error.message);
  });
  redis.on('ready', () => (lastRedisError = undefined));
  const connection = () => ({ redisStatus: redis.status, lastRedisError });

  // Set once start-up is done; /health reads it from the first request on.
  const running: { runner?: Runner } = {};
  const waitingFor = `waiting for the lease on INGEST_ID "${ingestId}"`;
  const health = createHealthServer(
    () => running.runner?.status() ?? startingStatus(config, connection(), waitingFor),
    {
      // Answered 500 (or an accept failure): logged, never thrown; the ingest goes on counting.
      onError: (error, { event: where, method, url }) =>
        logger.error(
          { event: 'health_server_error', where, method, url, err: error },
          'health server error',
        ),
    },
  );
  try {
    // Before the first line is read: an ingest whose health cannot be watched does not start.
    await life.during(listenOn(health, config.healthPort, config.healthHost));
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    refuse(
      `cannot listen on ${config.healthHost}:${config.healthPort} (HEALTH_HOST, HEALTH_PORT): ${code ?? message}`,
    );
  }
  life.defer(() => closeServer(health));

  const keys = keyLayout(config.keyPrefix);
  const lease = await life.during(takeLease(config, ingestId, redis, keys, life, logger));
  life.defer(() => lease.release());
  lease.renewEvery();
  lease.onLost((reason) => {
    // Its sequence is no longer its own: writing on could count twice. Stop, keep nothing.
    logger.fatal({ event: 'lease_lost', ingestId, reason }, 'lost the lease on INGEST_ID');
    process.stderr.write(
      `ingest: another process took INGEST_ID "${ingestId}" (${reason}); stopping without storing the counts held\n`,
    );
    void life.fail(1);
  });

  const started = createRunner(config, redis, keys, { ingestId, lease }, connection, logger);
  running.runner = started;
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

/**
 * The lease on INGEST_ID, taken before the first line is read (so nothing read is ever held
 * by an ingest that may not store it): waits while Redis is away, and while a killed holder's
 * lease lapses; exits 1 with one line when another live ingest uses the id.
 */
async function takeLease(
  config: ReturnType<typeof loadConfig>,
  ingestId: string,
  redis: ReturnType<typeof createIngestRedis>,
  keys: ReturnType<typeof keyLayout>,
  life: Lifecycle,
  logger: pino.Logger,
): Promise<WriterLease> {
  try {
    return await WriterLease.acquire(redis, keys, 'ingest', ingestId, {
      leaseMs: config.idLeaseMs,
      signal: life.abortSignal,
      onWait: (reason, detail) =>
        logger.warn(
          { event: 'lease_wait', ingestId, reason, detail: redactUserInfo(detail) },
          reason === 'held'
            ? 'another process holds INGEST_ID; waiting for its lease to lapse'
            : 'waiting for Redis to take the lease on INGEST_ID',
        ),
    });
  } catch (error) {
    if (error instanceof LeaseHeldError)
      refuse(`${error.message}; stop it or set another INGEST_ID`);
    throw error;
  }
}

main().catch((error: Error) => {
  process.stderr.write(`ingest: ${redactUserInfo(error.stack ?? error.message)}\n`);
  process.exit(1);
});
