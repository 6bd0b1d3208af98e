import type { Redis } from 'ioredis';
import { redisFailureReason } from './errors';

/**
 * Resolves once Redis is done with every command sent on `redis` before the call: then a PING
 * sent after them has been answered, because Redis answers one connection's commands in
 * order. For a read that failed on our side (`commandTimeout`) while Redis goes on with it:
 * SharedReads keeps its key in flight until this resolves.
 *
 * A PING that times out is sent again (one per `commandTimeout`, 1 s, while Redis accepts the
 * connection but does not answer); any other failure ends the wait at once: the connection is
 * gone, and Redis drops what it had not run of it. Never rejects.
 */
export async function redisDrained(redis: Redis): Promise<void> {
  for (;;) {
    try {
      await redis.ping();
      return;
    } catch (error) {
      if (redisFailureReason(error) !== 'command timed out') return;
    }
  }
}
