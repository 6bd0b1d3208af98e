import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/** Delay before reconnect attempt `times` (1, 2, …), in ms: 100, 200, … then every second. */
export function reconnectDelayMs(times: number): number {
  return Math.min(times * 100, 1000);
}

/**
 * How the api's client fails. The api must answer 503 within 2 s and never hang (SPEC §4),
 * while ioredis's defaults wait: they queue commands while disconnected (`enableOfflineQueue`
 * true), retry each one up to 20 reconnects (`maxRetriesPerRequest` 20), allow 10 s to connect
 * and put no limit on a reply (ioredis `lib/redis/RedisOptions.ts`). So:
 * - `enableOfflineQueue: false`: a command while disconnected fails at once ("Stream isn't
 *   writeable"), the answer is an immediate 503;
 * - `commandTimeout: 1000`: a Redis that accepts the connection but never answers (paused,
 *   swapped out, a black-holed network) fails the command after 1 s;
 * - `connectTimeout: 1000`: a connect that gets no SYN-ACK is abandoned after 1 s and retried;
 * - `maxRetriesPerRequest: 0` and `autoResendUnfulfilledCommands: false`: a command whose
 *   connection drops fails now instead of being resent after a reconnect; reads are cheap to
 *   redo, by the client that asked;
 * - `retryStrategy`: reconnect forever in the background (`reconnectDelayMs`), so the api
 *   recovers by itself when Redis is back, without a restart.
 * Requests also carry their own deadline (READ_DEADLINE_MS in app.ts), below the 2 s bound.
 */
export const API_REDIS_OPTIONS: Readonly<RedisOptions> = Object.freeze({
  enableOfflineQueue: false,
  commandTimeout: 1000,
  connectTimeout: 1000,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  retryStrategy: reconnectDelayMs,
  connectionName: 'tally-api',
});

/**
 * The api's Redis client for `url` (see API_REDIS_OPTIONS). It starts connecting at once and
 * logs once per change of state: when Redis becomes reachable, when it is lost (first error
 * or a closed connection), and when it is back; not once per reconnect attempt.
 */
export function createRedisClient(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { ...API_REDIS_OPTIONS });
  let state: 'starting' | 'up' | 'down' = 'starting';
  redis.on('ready', () => {
    logger.info(
      { event: 'redis_ready' },
      state === 'down' ? 'Redis is reachable again' : 'connected to Redis',
    );
    state = 'up';
  });
  redis.on('error', (error: Error & { code?: string }) => {
    // Without this listener ioredis prints every error to the console; with it, one line per outage.
    if (state === 'down') return;
    state = 'down';
    logger.warn(
      { event: 'redis_error', err: { message: error.message, code: error.code } },
      'Redis unavailable; answering 503 and reconnecting in the background',
    );
  });
  redis.on('reconnecting', () => {
    // A server that shuts down cleanly closes the connection without an error event. Not
    // 'close': that is also emitted by our own quit() at shutdown, which does not reconnect.
    if (state !== 'up') return;
    state = 'down';
    logger.warn(
      { event: 'redis_closed' },
      'Redis connection closed; reconnecting in the background',
    );
  });
  return redis;
}
