import type { Redis } from 'ioredis';
import type { Batch } from './batch';
import {
  APPLIED_SEQ_TTL_SECONDS,
  applyBatch,
  type BatchStamp,
  type StreamCommitOutcome,
  type WindowOptions,
} from './commit-batch';
import { type KeyLayout, STREAM_GROUP, STREAM_LINES_FIELD } from './keys';
import type { LeaseStamp } from './lease';
import { APPEND_STREAM, settle } from './script-status';
import { withScripts } from './scripts';

/** One entry of `<prefix>:stream`: its id and its lines joined by `\n` (raw bytes). */
export interface StreamEntry {
  readonly id: string;
  readonly lines: Buffer;
}

/** Creates the consumer group (and the stream, MKSTREAM) unless it exists; reads from the start. */
export async function ensureStreamGroup(redis: Redis, keys: KeyLayout): Promise<void> {
  try {
    await redis.xgroup('CREATE', keys.stream, STREAM_GROUP, '0', 'MKSTREAM');
  } catch (error) {
    if (!/^BUSYGROUP/.test((error as Error).message)) throw error;
  }
}

type RawEntry = [Buffer, Buffer[] | null];

function toEntries(raw: readonly RawEntry[] | undefined): StreamEntry[] {
  const entries: StreamEntry[] = [];
  for (const [id, fields] of raw ?? []) {
    let lines: Buffer = Buffer.alloc(0);
    for (let i = 0; fields !== null && i + 1 < fields.length; i += 2) {
      if (fields[i].toString() === STREAM_LINES_FIELD) lines = fields[i + 1];
    }
    entries.push({ id: id.toString(), lines });
  }
  return entries;
}

/**
 * Up to `count` entries no consumer of the group has read yet, now pending for `consumer`
 * (XREADGROUP `>`); waits up to `blockMs` for one. An empty array when none came.
 */
export async function readNewEntries(
  redis: Redis,
  keys: KeyLayout,
  consumer: string,
  count: number,
  blockMs: number,
): Promise<StreamEntry[]> {
  return readGroup(redis, keys, consumer, count, ['BLOCK', blockMs], '>');
}

/**
 * Up to `count` entries already delivered to `consumer` and not acked yet (XREADGROUP from
 * `0`): what a previous process with the same consumer name (a fixed INGEST_ID) left pending
 * when it died. Read at start so they are counted at once, not after STREAM_CLAIM_IDLE_MS.
 */
export async function readOwnPendingEntries(
  redis: Redis,
  keys: KeyLayout,
  consumer: string,
  count: number,
): Promise<StreamEntry[]> {
  return readGroup(redis, keys, consumer, count, [], '0');
}

async function readGroup(
  redis: Redis,
  keys: KeyLayout,
  consumer: string,
  count: number,
  block: (string | number)[],
  from: '>' | '0',
): Promise<StreamEntry[]> {
  const reply = (await redis.callBuffer(
    'XREADGROUP',
    'GROUP',
    STREAM_GROUP,
    consumer,
    'COUNT',
    count,
    ...block,
    'STREAMS',
    keys.stream,
    from,
  )) as [Buffer, RawEntry[]][] | null;
  return reply === null ? [] : toEntries(reply[0]?.[1]);
}

/**
 * Takes over up to `count` entries pending for longer than `minIdleMs` (their consumer died or
 * lost the XREADGROUP reply), from the start of the pending list (XAUTOCLAIM).
 */
export async function claimIdleEntries(
  redis: Redis,
  keys: KeyLayout,
  consumer: string,
  minIdleMs: number,
  count: number,
): Promise<StreamEntry[]> {
  const reply = (await redis.callBuffer(
    'XAUTOCLAIM',
    keys.stream,
    STREAM_GROUP,
    consumer,
    minIdleMs,
    '0-0',
    'COUNT',
    count,
  )) as [Buffer, RawEntry[]];
  return toEntries(reply[1]);
}

/** Which of `ids` are still pending in the group (delivered and not acked). */
export async function stillPending(
  redis: Redis,
  keys: KeyLayout,
  ids: readonly string[],
): Promise<Set<string>> {
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.xpending(keys.stream, STREAM_GROUP, id, id, 1);
  const results = (await pipeline.exec()) ?? [];
  const pending = new Set<string>();
  results.forEach(([error, reply], i) => {
    if (error) throw error;
    if ((reply as unknown[]).length > 0) pending.add(ids[i]);
  });
  return pending;
}

/**
 * Adds `batch`, the counts of the stream entries `entryIds`, and acks those entries, in one
 * atomic step (apply-batch.lua with its stream section): `'applied'`; `'duplicate'` when this
 * stamp was applied before (a retry after a lost reply); `'stale'` when not every entry is
 * still pending (another consumer counted some or all): nothing was written; count the ones
 * {@link stillPending} reports and call again with the same stamp.
 * @throws BatchRejectedError / the ioredis error, as commitBatch
 */
export async function commitStreamBatch(
  redis: Redis,
  keys: KeyLayout,
  batch: Batch,
  stamp: BatchStamp,
  windows: WindowOptions,
  entryIds: readonly string[],
): Promise<StreamCommitOutcome> {
  if (entryIds.length === 0) throw new RangeError('commitStreamBatch: no entry ids');
  return applyBatch(redis, keys, batch, stamp, windows, APPLIED_SEQ_TTL_SECONDS, entryIds);
}

export type AppendOutcome = 'appended' | 'duplicate' | 'full';

/**
 * Appends one entry holding `lines` (joined by `\n`, without a last `\n`) unless the stream
 * already holds `maxLength` entries (`'full'`: nothing written, wait and retry). Exactly once
 * per (producerId, seq): a retry whose first attempt was appended is `'duplicate'`. With
 * `lease` (WriterLease.stamp) the append is refused while another process holds the id, and
 * renews the lease; without, it is refused while anybody holds it.
 * @throws BatchRejectedError ERR_STREAM_KEY_WRONG_TYPE, ERR_LEASE_LOST; the ioredis error when
 *   the outcome is unknown
 */
export async function appendStreamEntry(
  redis: Redis,
  keys: KeyLayout,
  producerId: string,
  seq: number,
  lines: Buffer,
  maxLength: number,
  lease?: LeaseStamp,
): Promise<AppendOutcome> {
  const result = await withScripts(redis).tallyAppendStream(
    keys.stream,
    keys.producerSeq(producerId),
    keys.writerLease('producer', producerId),
    seq,
    APPLIED_SEQ_TTL_SECONDS,
    maxLength,
    STREAM_LINES_FIELD,
    lines,
    lease?.token ?? '',
    lease?.ms ?? 0,
  );
  if (typeof result === 'string') return 'appended';
  return settle('append-stream', APPEND_STREAM, result, {
    keys,
    role: 'producer',
    id: producerId,
  });
}

/** What trimStream measured, in entries. */
export interface StreamState {
  readonly trimmed: number;
  readonly length: number;
  /** Read by a consumer and not acked yet. */
  readonly pending: number;
  /** Not read by any consumer yet; `undefined` when Redis cannot tell. */
  readonly undelivered: number | undefined;
}

/**
 * Deletes the entries below the oldest one a consumer group still needs (never one that is
 * pending or not yet delivered) and reports the stream's length and lag (trim-stream.lua).
 */
export async function trimStream(redis: Redis, keys: KeyLayout): Promise<StreamState> {
  const [trimmed, length, pending, undelivered] = await withScripts(redis).tallyTrimStream(
    keys.stream,
  );
  return { trimmed, length, pending, undelivered: undelivered < 0 ? undefined : undelivered };
}
