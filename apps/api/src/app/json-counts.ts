import type { CountEntry, MalformedReport } from '@tally/aggregation';

/**
 * The JSON object text of `entries`, keys in the order given (SPEC §4 order from
 * `readCounts`). Built as text on purpose: a JS object would move integer-like keys such as
 * "42" to the front and drop or mangle `__proto__`, so `JSON.stringify(object)` cannot keep
 * the contract. Linear in the output size (one `join`).
 *
 * @throws Error when a count is not a finite number (a corrupt stored value): the text would
 *   not be JSON, so the request fails with a 500 instead of sending it.
 */
export function countsToJson(entries: readonly CountEntry[]): string {
  const parts = new Array<string>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const [key, count] = entries[i];
    if (!Number.isFinite(count)) {
      throw new Error(`count of ${JSON.stringify(key)} is not a finite number: ${count}`);
    }
    parts[i] = JSON.stringify(key) + ':' + count;
  }
  return '{' + parts.join(',') + '}';
}

/**
 * The JSON text of `GET /events/malformed`: `{"byReason": {…}, "recent": […]}`, reasons in the
 * count order, samples newest first as stored (each JSON text the ingest wrote). A stored
 * sample that is not a JSON object (a hand-edited key) is left out rather than sent broken.
 */
export function malformedToJson(report: MalformedReport): string {
  const recent = report.recent.filter((text) => {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    } catch {
      return false;
    }
  });
  return `{"byReason":${countsToJson(report.byReason)},"recent":[${recent.join(',')}]}`;
}
