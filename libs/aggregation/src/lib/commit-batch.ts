import type { Redis } from 'ioredis';
import type { Batch } from './batch';
import { type KeyLayout, STREAM_GROUP } from './keys';
import type { LeaseStamp } from './lease';
import { MALFORMED_RECENT_MAX } from './malformed';
import { APPLY_BATCH, settle } from './script-status';
import { withScripts } from './scripts';
import { bucketStart, windowLadder } from './windows';

/** Who wrote a batch and its place in that writer's sequence: what makes a retry idempotent. */
export interface BatchStamp {
  /** The ingest's id (INGEST_ID, or a random one per start). */
  readonly ingestId: string;
  /**
   * 1, 2, 3, … in the order the batches are committed, continuing from the id's last applied
   * number after a restart (WriterLease.lastSeq); a batch keeps its number across retries.
   */
  readonly seq: number;
  /**
   * The lease this process holds on `ingestId` (WriterLease.stamp): the batch is refused
   * (`BatchRejectedError` ERR_LEASE_LOST) when another process holds it, and applying it
   * renews it. Without one, a batch is applied only while nobody holds the id's lease.
   */
  readonly lease?: LeaseStamp;
}

export type CommitOutcome = 'applied' | 'duplicate';

/** With stream entries: `'stale'` = some of them are no longer pending, nothing was written. */
export type StreamCommitOutcome = CommitOutcome | 'stale';

/**
 * How long `<prefix>:ingest:<id>:seq` outlives the last batch of its ingest. A retry older
 * than this could be applied twice, so it is far longer than any Redis outage we ride out.
 * @default 7 days
 */
export const APPLIED_SEQ_TTL_SECONDS = 7 * 24 * 3600;

/** What the windowed buckets need to know: the retention (and so the ladder of bucket sizes). */
export interface WindowOptions {
  readonly retentionSeconds: number;
}

function pushPairs(args: (string | number)[], map: ReadonlyMap<string, number>): void {
  for (const [key, n] of map) args.push(key, n);
}

/**
 * The script's KEYS and ARGV for `batch` (see apply-batch.lua). With `entryIds`, the stream
 * section: the batch counts those entries of `<prefix>:stream`.
 */
function applyBatchCall(
  keys: KeyLayout,
  batch: Batch,
  stamp: BatchStamp,
  windows: WindowOptions,
  seqTtlSeconds: number,
  entryIds: readonly string[] | undefined,
): { keys: string[]; args: (string | number)[] } {
  const keyList = [
    keys.types,
    keys.words,
    keys.stats,
    keys.appliedSeq(stamp.ingestId),
    keys.rank.types,
    keys.rank.words,
    keys.generation,
    keys.writerLease('ingest', stamp.ingestId),
    keys.malformedReasons,
    keys.malformedRecent,
  ];
  const keyIndex = new Map<string, number>();
  const indexOf = (key: string) => {
    let i = keyIndex.get(key);
    if (i === undefined) {
      keyList.push(key);
      i = keyList.length; // Lua's KEYS is 1-based
      keyIndex.set(key, i);
    }
    return i;
  };
  const args: (string | number)[] = [
    stamp.seq,
    seqTtlSeconds,
    stamp.lease?.token ?? '',
    stamp.lease?.ms ?? 0,
    batch.events,
    batch.malformedLines,
    batch.malformed.byReason.size,
  ];
  pushPairs(args, batch.malformed.byReason);
  args.push(MALFORMED_RECENT_MAX, batch.malformed.samples.length, ...batch.malformed.samples);
  args.push(batch.types.size, batch.words.size);
  pushPairs(args, batch.types);
  pushPairs(args, batch.words);
  // Each second: its one-second buckets, always written, and the coarser buckets holding it,
  // written by the script only once they are sealed (rolled up; see roll-up.lua).
  const ladder = windowLadder(windows.retentionSeconds);
  args.push(batch.seconds.length);
  for (const { second, types, words } of batch.seconds) {
    // A bucket is useful while its last second can still be inside a window.
    args.push(
      indexOf(keys.bucket('types', 1, second)),
      indexOf(keys.bucket('words', 1, second)),
      second + 1 + windows.retentionSeconds,
      ladder.length - 1,
    );
    for (let level = 1; level < ladder.length; level++) {
      const size = ladder[level];
      const start = bucketStart(second, size);
      args.push(
        indexOf(keys.bucketSeal(size, start)),
        indexOf(keys.bucket('types', size, start)),
        indexOf(keys.bucket('words', size, start)),
        start + size + windows.retentionSeconds,
      );
    }
    args.push(types.size, words.size);
    pushPairs(args, types);
    pushPairs(args, words);
  }
  if (entryIds !== undefined) {
    args.push(indexOf(keys.stream), STREAM_GROUP, entryIds.length);
    for (const id of entryIds) args.push(id);
  }
  return { keys: keyList, args };
}

/**
 * Adds `batch` to the counts atomically and exactly once: every increment of the batch (all
 * time, rank and windowed buckets: the one-second ones and the sealed coarser ones), the totals and the ingest's sequence number change in one
 * Lua script, and a batch whose `seq` is
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
  windows: WindowOptions,
  seqTtlSeconds = APPLIED_SEQ_TTL_SECONDS,
): Promise<CommitOutcome> {
  if (!Number.isSafeInteger(stamp.seq) || stamp.seq < 1) {
    throw new RangeError(`commitBatch: seq must be an integer >= 1, got ${stamp.seq}`);
  }
  const outcome = await applyBatch(redis, keys, batch, stamp, windows, seqTtlSeconds);
  return outcome as CommitOutcome; // 'stale' comes only with entry ids
}

/**
 * Runs apply-batch.lua for `batch` (with `entryIds`, its stream section) and settles its
 * status: commitBatch and commitStreamBatch.
 */
export async function applyBatch(
  redis: Redis,
  keys: KeyLayout,
  batch: Batch,
  stamp: BatchStamp,
  windows: WindowOptions,
  seqTtlSeconds: number,
  entryIds?: readonly string[],
): Promise<StreamCommitOutcome> {
  const call = applyBatchCall(keys, batch, stamp, windows, seqTtlSeconds, entryIds);
  // Passed as arrays, not spread: a big batch has more arguments than a JS call may take.
  const status = await withScripts(redis).tallyApplyBatch(call.keys.length, call.keys, call.args);
  return settle('apply-batch', APPLY_BATCH, status, { keys, role: 'ingest', id: stamp.ingestId });
}
