/**
 * The Redis key layout, the only place in tally that spells a key. Every key starts with
 * `<KEY_PREFIX>:` (SPEC §3) so that deployments and test runs sharing one Redis never mix.
 *
 * | key                              | type   | content                                    |
 * | -------------------------------- | ------ | ------------------------------------------ |
 * | `<prefix>:types`                 | hash   | event_type -> count                        |
 * | `<prefix>:words`                 | hash   | word -> count                              |
 * | `<prefix>:stats`                 | hash   | `events`, `malformedLines` -> count        |
 * | `<prefix>:ingest:<id>:seq`       | string | last batch sequence applied by that ingest |
 * | `<prefix>:generation`            | string | batches applied (for read caches)          |
 * | `<prefix>:rank:types`            | zset   | event_type (CESU-8) -> count, for `top`    |
 * | `<prefix>:rank:words`            | zset   | word (CESU-8) -> count, for `top`          |
 * | `<prefix>:w:<size>:<start>:types`| zset   | event_type (CESU-8) -> count of the events |
 * | `<prefix>:w:<size>:<start>:words`| zset   | word (CESU-8) -> count  with timestamp in  |
 * |                                  |        | `[start, start+size-1]`; expires after the |
 * |                                  |        | retention                                  |
 * | `<prefix>:w:<size>:<start>:sealed`| string | present once the bucket of `size` > 1 was  |
 * |                                  |        | rolled up from its children: from then on  |
 * |                                  |        | it holds its seconds' exact counts (see    |
 * |                                  |        | windows.ts); expires with the bucket       |
 * | `<prefix>:stream`                | stream | event lines, TRANSPORT=redis-stream: one   |
 * |                                  |        | field `lines` per entry; consumer group    |
 * |                                  |        | `ingest` (STREAM_GROUP)                    |
 * | `<prefix>:malformed:reasons`     | hash   | reason -> malformed lines with it          |
 * | `<prefix>:malformed:recent`      | list   | the newest 100 malformed-line samples      |
 * |                                  |        | (JSON), newest first (malformed.ts)        |
 * | `<prefix>:producer:<id>:seq`     | string | last entry sequence appended by a producer |
 * | `<prefix>:ingest:<id>:lease`,    | string | token of the one live process using that   |
 * | `<prefix>:producer:<id>:lease`   |        | id; lapses unless renewed (lease.ts)       |
 *
 * Sorted-set members are CESU-8 (UTF-8, but characters above U+FFFF as two 3-byte surrogate
 * halves) so that Redis's byte order among equal scores is the SPEC's UTF-16 code-unit order;
 * see cesu8.ts.
 */
export interface KeyLayout {
  readonly prefix: string;
  readonly types: string;
  readonly words: string;
  readonly stats: string;
  /** Where the ingest `ingestId` records the last batch sequence it applied. */
  appliedSeq(ingestId: string): string;
  /** The all-time counts as sorted sets, for top K without reading the whole vocabulary. */
  readonly rank: { readonly types: string; readonly words: string };
  /** The sorted set of the bucket of `size` seconds starting at `start` (event time). */
  bucket(kind: 'types' | 'words', size: number, start: number): string;
  /** The marker that the bucket of `size` seconds at `start` was rolled up (see windows.ts). */
  bucketSeal(size: number, start: number): string;
  /** What every bucket and seal key starts with (the Lua roll-up builds child keys from it). */
  readonly bucketBase: string;
  /** Malformed lines by reason (written with the counts, in the same script). */
  readonly malformedReasons: string;
  /** The newest malformed-line samples, newest first (MALFORMED_RECENT_MAX). */
  readonly malformedRecent: string;
  /** Bumped by every applied batch: a cached read built at the same generation is current. */
  readonly generation: string;
  /** A short-lived cache key for a union of buckets (kept about a second). */
  scratch(id: string): string;
  /** The stream of event lines (TRANSPORT=redis-stream). */
  readonly stream: string;
  /** Where the producer `producerId` records the last entry sequence it appended. */
  producerSeq(producerId: string): string;
  /** The sequence key of writer `id` in `role`: appliedSeq or producerSeq. */
  writerSeq(role: WriterRole, id: string): string;
  /** The lease that lets one live process at a time write as `id` in `role` (lease.ts). */
  writerLease(role: WriterRole, id: string): string;
}

/** Who writes with a sequence number of its own: an ingest (batches) or a producer (entries). */
export type WriterRole = 'ingest' | 'producer';

/** The consumer group every ingest replica of a deployment joins on `<prefix>:stream`. */
export const STREAM_GROUP = 'ingest';

/** The field of a stream entry that holds its lines, joined by `\n`. */
export const STREAM_LINES_FIELD = 'lines';

/** Field names inside `<prefix>:stats`. */
export const STATS_FIELDS = Object.freeze({ events: 'events', malformedLines: 'malformedLines' });

/** The key layout for `prefix` (a validated, non-empty KEY_PREFIX). */
export function keyLayout(prefix: string): KeyLayout {
  if (prefix === '') throw new Error('keyLayout: the key prefix must not be empty');
  // A ':' would let one prefix's keys fall under another's (SPEC §3; readKeyPrefix says why).
  if (prefix.includes(':')) throw new Error(`keyLayout: the key prefix must not contain ":"`);
  const writerSeq = (role: WriterRole, id: string) => `${prefix}:${role}:${id}:seq`;
  return Object.freeze({
    prefix,
    types: `${prefix}:types`,
    words: `${prefix}:words`,
    stats: `${prefix}:stats`,
    appliedSeq: (ingestId: string) => writerSeq('ingest', ingestId),
    rank: Object.freeze({ types: `${prefix}:rank:types`, words: `${prefix}:rank:words` }),
    bucket: (kind: 'types' | 'words', size: number, start: number) =>
      `${prefix}:w:${size}:${start}:${kind}`,
    bucketSeal: (size: number, start: number) => `${prefix}:w:${size}:${start}:sealed`,
    bucketBase: `${prefix}:w:`,
    malformedReasons: `${prefix}:malformed:reasons`,
    malformedRecent: `${prefix}:malformed:recent`,
    generation: `${prefix}:generation`,
    scratch: (id: string) => `${prefix}:tmp:${id}`,
    stream: `${prefix}:stream`,
    producerSeq: (producerId: string) => writerSeq('producer', producerId),
    writerSeq,
    writerLease: (role: WriterRole, id: string) => `${prefix}:${role}:${id}:lease`,
  });
}
