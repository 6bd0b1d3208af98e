import type { Redis, Result } from 'ioredis';
import { applyBatchLua } from '../lua/scripts.generated';
import type { Batch } from './batch';
import { BatchRejectedError } from './errors';
import type { KeyLayout } from './keys';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** libs/aggregation/src/lua/apply-batch.lua; see its header for keys and arguments. */
    tallyApplyBatch(
      types: string,
      words: string,
      stats: string,
      appliedSeq: string,
      ...args: (string | number)[]
    ): Result<number, Context>;
  }
}

/** Who wrote a batch and its place in that writer's sequence: what makes a retry idempotent. */
export interface BatchStamp {
  /** Unique per ingest process (a restarted ingest is a new writer with a new id). */
  readonly ingestId: string;
  /** 1, 2, 3, … in the order the batches are committed; a batch keeps its number across retries. */
  readonly seq: number;
}

export type CommitOutcome = 'applied' | 'duplicate';

/**
 * How long `<prefix>:ingest:<id>:seq` outlives the last batch of its ingest. A retry older
 * than this could be applied twice, so it is far longer than any Redis outage we ride out.
 * @default 7 days
 */
export const APPLIED_SEQ_TTL_SECONDS = 7 * 24 * 3600;

function ensureScript(redis: Redis): void {
  if (typeof (redis as Partial<Redis>).tallyApplyBatch !== 'function') {
    // defineCommand sends EVALSHA and falls back to EVAL on NOSCRIPT (ioredis lib/Script.ts),
    // so a Redis restart that empties the script cache costs one extra round trip, not an error.
    redis.defineCommand('tallyApplyBatch', { numberOfKeys: 4, lua: applyBatchLua });
  }
}

/** The script's ARGV for `batch` (see apply-batch.lua). Exported for the benchmark. */
export function applyBatchArgs(batch: Batch, seq: number, ttlSeconds: number): (string | number)[] {
  const args: (string | number)[] = [
    seq,
    ttlSeconds,
    batch.events,
    batch.malformedLines,
    batch.types.size,
  ];
  for (const [eventType, n] of batch.types) args.push(eventType, n);
  for (const [word, n] of batch.words) args.push(word, n);
  return args;
}

/**
 * Adds `batch` to the counts atomically and exactly once: every increment of the batch, the
 * totals and the ingest's sequence number change in one Lua script, and a batch whose `seq` is
 * not above the last one applied for `stamp.ingestId` is skipped (`'duplicate'`). So a caller
 * that lost the reply may simply call again with the same batch and stamp.
 *
 * @throws BatchRejectedError when Redis refused the batch and wrote nothing (retrying won't help)
 * @throws the ioredis error when the outcome is unknown (connection lost, timeout): retry as is
 */
export async function commitBatch(
  redis: Redis,
  keys: KeyLayout,
  batch: Batch,
  stamp: BatchStamp,
  ttlSeconds = APPLIED_SEQ_TTL_SECONDS,
): Promise<CommitOutcome> {
  if (!Number.isSafeInteger(stamp.seq) || stamp.seq < 1) {
    throw new RangeError(`commitBatch: seq must be an integer >= 1, got ${stamp.seq}`);
  }
  ensureScript(redis);
  const result = await redis.tallyApplyBatch(
    keys.types,
    keys.words,
    keys.stats,
    keys.appliedSeq(stamp.ingestId),
    ...applyBatchArgs(batch, stamp.seq, ttlSeconds),
  );
  return outcomeOf(result, keys);
}

/** The one place where the script's status numbers become outcomes or errors. */
function outcomeOf(status: number, keys: KeyLayout): CommitOutcome {
  switch (status) {
    case 1:
      return 'applied';
    case 0:
      return 'duplicate';
    case -1:
      throw new BatchRejectedError(
        'ERR_COUNT_KEY_WRONG_TYPE',
        `a key under "${keys.prefix}:" that should hold counts is not a hash`,
      );
    case -2:
      throw new BatchRejectedError(
        'ERR_SEQ_KEY_CORRUPT',
        `a key "${keys.prefix}:ingest:<id>:seq" does not hold a sequence number`,
      );
    default:
      throw new Error(`apply-batch returned an unknown status ${status}`);
  }
}
