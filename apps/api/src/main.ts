/**
 * The api process: settings, logger, Redis client, HTTP server, signals. Logic lives in app/.
 */
import { createServer } from 'node:http';
import { keyLayout } from '@tally/aggregation';
import { loadConfigOrExit } from '@tally/settings';
import { pino } from 'pino';
import { createApp } from './app/app';
import { loadConfig } from './app/config';
import { createRedisClient } from './app/redis-client';
import type { LiveHub } from './app/dashboard/live-hub';
import { SharedReads } from './app/shared-reads';

/** After a signal, connections still open this long (a slow client) are cut. */
const SHUTDOWN_GRACE_MS = 3000;

const config = loadConfigOrExit('api', () => loadConfig(process.env));
// Synchronous writes to stdout: the api logs state changes and failures, not requests, so this
// costs nothing, and no line is lost or reordered at exit. (pino's default stdout stream is
// asynchronous, and its flush() does not wait for a write in flight: seen here as the last two
// lines of a shutdown swapping places.)
const logger = pino({ base: { app: 'api' } }, pino.destination({ dest: 1, sync: true }));
let liveHub: LiveHub | undefined;
const redis = createRedisClient(config.redisUrl, logger.child({ component: 'redis' }));
const app = createApp({
  redis,
  keys: keyLayout(config.keyPrefix),
  retentionSeconds: config.windowRetentionSeconds,
  logger: logger.child({ component: 'http' }),
  sharedReads: new SharedReads({ cacheMs: config.readCacheMs }),
  onLiveHub: (hub) => {
    liveHub = hub;
  },
});

const server = createServer(app);
server.on('error', (error: NodeJS.ErrnoException) => {
  // Listening failed (EADDRINUSE, EACCES, EADDRNOTAVAIL, an unknown HOST): one line, exit 1.
  process.stderr.write(
    `api: cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}\n`,
  );
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  logger.info(
    {
      event: 'listening',
      address: `http://${config.host}:${config.port}`,
      keyPrefix: config.keyPrefix,
      windowRetentionSeconds: config.windowRetentionSeconds,
      readCacheMs: config.readCacheMs,
    },
    'api listening',
  );
});

async function closeRedis(): Promise<void> {
  try {
    await redis.quit();
  } catch {
    // Not connected or no answer (QUIT is bounded by commandTimeout): just drop the socket.
    redis.disconnect();
  }
}

function shutdown(signal: NodeJS.Signals): void {
  logger.info({ event: 'shutdown', signal }, 'stopping: finishing requests in flight');
  // Stop accepting; close() calls back once every connection is gone. In-flight requests end
  // within READ_DEADLINE_MS; idle keep-alive connections are closed now, and whatever is still
  // open after the grace period is cut.
  server.close(() => {
    void closeRedis().finally(() => {
      logger.info({ event: 'stopped' }, 'api stopped');
      logger.flush(() => process.exit(0));
    });
  });
  server.closeIdleConnections();
  liveHub?.close(); // dashboard streams never end by themselves; browsers reconnect elsewhere
  setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
}
// once: a second signal gets Node's default action, so a second Ctrl-C stops a stuck shutdown.
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
