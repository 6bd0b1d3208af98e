/** One count: a key (event type or word) and how often it was seen. */
export type CountEntry = readonly [key: string, count: number];

/** SPEC §4 ordering: descending count, ties by ascending key in UTF-16 code-unit order. */
export function compareEntries(a: CountEntry, b: CountEntry): number {
  if (a[1] !== b[1]) return b[1] - a[1];
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/**
 * The `top` first entries in SPEC order (all of them when `top` is undefined). For a small
 * `top` over a large vocabulary a bounded heap keeps the cost at O(n log top) instead of
 * sorting all n entries.
 */
export function rankEntries(entries: CountEntry[], top?: number): CountEntry[] {
  if (top === undefined || top * 8 >= entries.length) {
    const sorted = entries.slice().sort(compareEntries);
    return top === undefined ? sorted : sorted.slice(0, top);
  }
  // Min-heap (by SPEC order, the "smallest" is the one ranked last) of the best `top` so far.
  const heap: CountEntry[] = [];
  const worse = (i: number, j: number) => compareEntries(heap[i], heap[j]) > 0;
  const swap = (i: number, j: number) => {
    const t = heap[i];
    heap[i] = heap[j];
    heap[j] = t;
  };
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(l, m)) m = l;
      if (r < heap.length && worse(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (const entry of entries) {
    if (heap.length < top) {
      heap.push(entry);
      for (let i = heap.length - 1; i > 0;) {
        const p = (i - 1) >> 1;
        if (!worse(i, p)) break;
        swap(i, p);
        i = p;
      }
    } else if (compareEntries(entry, heap[0]) < 0) {
      heap[0] = entry;
      siftDown(0);
    }
  }
  return heap.sort(compareEntries);
}
