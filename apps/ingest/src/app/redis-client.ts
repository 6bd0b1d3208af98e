import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The ingest's Redis client. The ingest must never drop a batch and never exit because Redis
 * is away (SPEC §5), but it must also know exactly when a write failed so it can retry the
 * same batch with the same sequence number. So the client fails fast and the committer owns
 * the retries:
 * - `enableOfflineQueue: false`: a write while disconnected fails at once instead of
 *   waiting in ioredis's queue (ioredis default: queue it);
 * - `maxRetriesPerRequest: 0`, `autoResendUnfulfilledCommands: false`: an in-flight write
 *   whose connection drops is rejected, not silently resent (defaults: 20 and true);
 * - `commandTimeout: 10 s`: a Redis that stops answering (CLIENT PAUSE, a stuck server) turns
 *   into a retry; a late reply to the first attempt is harmless because apply-batch skips a
 *   sequence number already applied;
 * - `retryStrategy`: reconnect forever, backing off to 2 s (ioredis default also retries
 *   forever, with a 2 s cap).
 */
export function createIngestRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: 10_000,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
    connectionName: 'tally-ingest',
  });
  let down = false;
  redis.on('ready', () => {
    down = false;
    logger.info({ event: 'redis_ready' }, 'connected to Redis');
  });
  redis.on('error', (error: Error) => {
    // ioredis emits an error per failed reconnect attempt; one line per outage is enough.
    if (!down)
      logger.warn({ event: 'redis_error', err: error.message }, 'Redis connection error; retrying');
    down = true;
  });
  return redis;
}
