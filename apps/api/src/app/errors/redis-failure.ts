import { redisFailureReason as storeFailureReason } from '@tally/aggregation';
import { DeadlineExceededError } from './deadline-exceeded-error';

/**
 * Whether `error` means Redis is unavailable (so the answer is 503, not 500), and if so a short
 * reason that is safe to send to a client; `undefined` for any other error.
 *
 * The api's one addition to `@tally/aggregation`'s `redisFailureReason` (the one mapping of
 * ioredis errors, shared with the ingest's `/health`): its own read deadline, a Redis that did
 * not answer in time (`withDeadline`).
 */
export function redisFailureReason(error: unknown): string | undefined {
  if (error instanceof DeadlineExceededError) return error.message;
  return storeFailureReason(error);
}
