import type { Redis } from 'ioredis';
import type { KeyLayout } from './keys';

/**
 * The store's generation: how many batches have been applied (`<prefix>:generation`, bumped
 * by every applied batch in the same script as its counts), 0 before the first. A read cache
 * that read the generation before its read, and finds it unchanged later, holds what Redis
 * would answer now. One `GET`.
 *
 * @throws Error when the key holds something that is not a non-negative integer (a
 *   hand-edited key): a cache must not trust it
 */
export async function readGeneration(redis: Redis, keys: KeyLayout): Promise<number> {
  const value = await redis.get(keys.generation);
  if (value === null) return 0;
  const generation = Number(value);
  if (!Number.isSafeInteger(generation) || generation < 0) {
    throw new Error(`${keys.generation} holds ${JSON.stringify(value)}, not a generation`);
  }
  return generation;
}
