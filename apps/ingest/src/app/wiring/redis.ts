import { redisFailureReason } from '@tally/aggregation';
import type { Lifecycle } from '@tally/lifecycle';
import { redactUserInfo } from '@tally/settings';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { IngestConfig } from '../config';
import { createIngestRedis } from '../redis-client';
import type { ConnectionStatus } from './status';

/**
 * The connection counts are written through (see createIngestRedis), closed at stop, and its
 * state as /health shows it: its status and, since it was last ready, a short reason for its
 * last error, never an address or a password.
 */
export function connectRedis(
  config: IngestConfig,
  life: Lifecycle,
  logger: Logger,
): { redis: Redis; connection: () => ConnectionStatus } {
  const redis = createIngestRedis(config.redisUrl, logger.child({ component: 'redis' }));
  life.defer(() =>
    redis.quit().then(
      () => undefined,
      () => redis.disconnect(),
    ),
  );
  let lastRedisError: string | undefined;
  redis.on('error', (error: Error) => {
    lastRedisError = redisFailureReason(error) ?? redactUserInfo(error.message);
  });
  redis.on('ready', () => (lastRedisError = undefined));
  return { redis, connection: () => ({ redisStatus: redis.status, lastRedisError }) };
}
