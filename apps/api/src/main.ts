// First: SIGTERM/SIGINT are caught from here on, while the modules below load (tens of ms).
import { stopSignals } from '@tally/lifecycle/process';
import { keyLayout } from '@tally/aggregation';
import { listenOn } from '@tally/http-server';
import { Lifecycle } from '@tally/lifecycle';
import { createLogger } from '@tally/logging';
import { loadConfigOrExit, redactUserInfo } from '@tally/settings';
import { createApp } from './app/app';
import { loadConfig } from './app/config';
import { createRedisClient } from './app/redis-client';
import { apiServerLimits, createApiServer, SHUTDOWN_GRACE_MS, stopServer } from './app/server';
import { SharedReads } from './app/shared-reads';

/**
 * The api process: settings, logger, Redis client, HTTP server, signals. Logic lives in app/.
 * A stop signal at any moment of start-up exits 0 (nothing is held yet); once listening, the
 * stop is graceful (stopServer), then Redis is quit.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit('api', () => loadConfig(process.env));
  // Synchronous writes to stdout: the api logs state changes and failures, not requests, so
  // this costs nothing, and no line is lost or reordered at exit. (pino's default stdout
  // stream is asynchronous, and its flush() does not wait for a write in flight: seen here as
  // the last two lines of a shutdown swapping places.) LOG_FORMAT=pretty is for development.
  const logger = loadConfigOrExit('api', () => createLogger('api', process.env, { sync: true }));
  const life = new Lifecycle({
    signals: stopSignals,
    exit: (code) => {
      logger.info({ event: 'stopped', code }, 'api stopped');
      process.exit(code);
    },
    onStop: (signal, phase) =>
      logger.info(
        { event: 'shutdown', signal, phase },
        phase === 'running'
          ? 'stopping: finishing requests in flight'
          : 'stopping during start-up; nothing was served',
      ),
    // A second signal stops a shutdown that is stuck (a Ctrl-C too many): at once, exit 1.
    onRepeat: (signal) => {
      logger.warn({ event: 'shutdown_forced', signal }, 'second stop signal: exiting at once');
      process.exit(1);
    },
    onCleanupError: (error) =>
      logger.error({ event: 'shutdown_step_failed', err: error }, 'stop step failed'),
  });

  const redis = createRedisClient(config.redisUrl, logger.child({ component: 'redis' }));
  life.defer(async () => {
    try {
      await redis.quit();
    } catch {
      // Not connected or no answer (QUIT is bounded by commandTimeout): just drop the socket.
      redis.disconnect();
    }
  });

  const app = createApp({
    redis,
    keys: keyLayout(config.keyPrefix),
    retentionSeconds: config.windowRetentionSeconds,
    logger: logger.child({ component: 'http' }),
    sharedReads: new SharedReads({ cacheMs: config.readCacheMs }),
    liveMaxClients: config.liveMaxClients,
  });
  const server = createApiServer(app.listener, {
    limits: apiServerLimits(config.liveMaxClients),
    logger: logger.child({ component: 'http' }),
  });
  // A stop before or during listen: nothing was served, so no grace period.
  life.defer(() => stopServer(server, { graceMs: 0, closeStreams: app.close }));
  try {
    await life.during(listenOn(server, config.port, config.host));
  } catch (error) {
    // Listening failed (EADDRINUSE, EACCES, EADDRNOTAVAIL, an unknown HOST): one line, exit 1.
    const { code, message } = error as NodeJS.ErrnoException;
    process.stderr.write(
      `api: cannot listen on ${config.host}:${config.port}: ${code ?? message}\n`,
    );
    process.exit(1);
  }
  life.running(() =>
    // Stop accepting, finish the requests in flight (each within READ_DEADLINE_MS), end the
    // dashboard streams (browsers reconnect elsewhere), cut what is left after the grace.
    stopServer(server, { graceMs: SHUTDOWN_GRACE_MS, closeStreams: app.close }),
  );
  logger.info(
    {
      event: 'listening',
      address: `http://${config.host}:${config.port}`,
      keyPrefix: config.keyPrefix,
      windowRetentionSeconds: config.windowRetentionSeconds,
      readCacheMs: config.readCacheMs,
      liveMaxClients: config.liveMaxClients,
    },
    'api listening',
  );
}

main().catch((error: Error) => {
  process.stderr.write(`api: ${redactUserInfo(error.stack ?? error.message)}\n`);
  process.exit(1);
});
