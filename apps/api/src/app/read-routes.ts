import type { CountKind, CountQuery } from '@tally/aggregation';

/** What a read endpoint answers: counts of one kind, the totals, or the malformed lines' report. */
export type ReadKind = CountKind | 'stats' | 'malformed';

/** A SPEC §4 read endpoint: its path (as declared, no trailing slash) and what it reads. */
export interface ReadRoute {
  readonly path: string;
  readonly read: ReadKind;
}

/**
 * The read endpoints (SPEC §4's, and tally's /events/malformed), in one list: express registers
 * them (app.ts), and the fast path (fast-path.ts) answers exactly these from the micro-cache.
 */
export const READ_ROUTES: readonly ReadRoute[] = [
  { path: '/events/countByEventType', read: 'types' },
  { path: '/events/countWords', read: 'words' },
  { path: '/events/stats', read: 'stats' },
  { path: '/events/malformed', read: 'malformed' },
];

/** The single-flight/cache key of the totals' body. */
export const STATS_READ_KEY = 'stats';
/** The single-flight/cache key of the malformed lines' report. */
export const MALFORMED_READ_KEY = 'malformed';

/**
 * The single-flight/cache key of a count read: equal keys are interchangeable answers. A
 * window's key holds its `now` second, so a windowed read is shared within that second only.
 */
export function countReadKey(kind: CountKind, query: CountQuery): string {
  const window = query.span === 'window' ? `${query.seconds}@${query.nowSeconds}` : '@';
  return `${kind}:top=${query.top ?? ''}:window=${window}`;
}

/**
 * The validator (`ETag`) of the body of read `key` at the store's `generation`: weak, since
 * the plain, gzip and br forms of one body share it (RFC 9110 §8.8.1: a strong one would have
 * to differ per coding), and the same on every api replica. A windowed key holds its second,
 * so a window's tag changes with the second as well as with the store.
 */
export function answerEtag(generation: number, key: string): string {
  return `W/"${generation}-${key}"`;
}
