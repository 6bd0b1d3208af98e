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
 */
export interface KeyLayout {
  readonly prefix: string;
  readonly types: string;
  readonly words: string;
  readonly stats: string;
  /** Where the ingest `ingestId` records the last batch sequence it applied. */
  appliedSeq(ingestId: string): string;
}

/** Field names inside `<prefix>:stats`. */
export const STATS_FIELDS = Object.freeze({ events: 'events', malformedLines: 'malformedLines' });

/** The key layout for `prefix` (a validated, non-empty KEY_PREFIX). */
export function keyLayout(prefix: string): KeyLayout {
  if (prefix === '') throw new Error('keyLayout: the key prefix must not be empty');
  return Object.freeze({
    prefix,
    types: `${prefix}:types`,
    words: `${prefix}:words`,
    stats: `${prefix}:stats`,
    appliedSeq: (ingestId: string) => `${prefix}:ingest:${ingestId}:seq`,
  });
}
