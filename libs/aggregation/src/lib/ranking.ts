/** One count: a key (event type or word) and how often it was seen. */
export type CountEntry = readonly [key: string, count: number];

/** SPEC §4 ordering: descending count, ties by ascending key in UTF-16 code-unit order. */
export function compareEntries(a: CountEntry, b: CountEntry): number {
  if (a[1] !== b[1]) return b[1] - a[1];
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
