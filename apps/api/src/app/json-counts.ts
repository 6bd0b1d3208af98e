import type { CountEntry, MalformedReport } from '@tally/aggregation';

/**
 * About how many UTF-16 code units of text are encoded into one Buffer at a time: the text of
 * a large vocabulary never exists as one string (a 1,000,000-word list would be a ~16 MB
 * string beside its bytes), only as ~64 KiB pieces that are encoded and dropped in turn.
 */
export const JSON_CHUNK_CHARS = 64 * 1024;

/**
 * The JSON object text of `entries` as UTF-8 bytes, keys in the order given (SPEC §4 order
 * from `readCounts`). Built as text on purpose: a JS object would move integer-like keys such
 * as "42" to the front and drop or mangle `__proto__`, so `JSON.stringify(object)` cannot keep
 * the contract. Linear in the output size: pieces of about `chunkChars` characters are
 * encoded one by one, then copied once into the one Buffer returned.
 *
 * @throws Error when a count is not a finite number (a corrupt stored value): the text would
 *   not be JSON, so the request fails with a 500 instead of sending it.
 */
export function countsToJson(
  entries: readonly CountEntry[],
  chunkChars = JSON_CHUNK_CHARS,
): Buffer {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let text = '{';
  for (let i = 0; i < entries.length; i++) {
    const [key, count] = entries[i];
    if (!Number.isFinite(count)) {
      throw new Error(`count of ${JSON.stringify(key)} is not a finite number: ${count}`);
    }
    text += (i === 0 ? '' : ',') + JSON.stringify(key) + ':' + count;
    if (text.length >= chunkChars) {
      const chunk = Buffer.from(text, 'utf8');
      chunks.push(chunk);
      bytes += chunk.length;
      text = '';
    }
  }
  const last = Buffer.from(text + '}', 'utf8');
  if (chunks.length === 0) return last;
  chunks.push(last);
  return Buffer.concat(chunks, bytes + last.length);
}

/**
 * The JSON text (UTF-8) of `GET /events/malformed`: `{"byReason": {…}, "recent": […]}`, reasons in the
 * count order, samples newest first as stored (each JSON text the ingest wrote). A stored
 * sample that is not a JSON object (a hand-edited key) is left out rather than sent broken.
 */
export function malformedToJson(report: MalformedReport): Buffer {
  const recent = report.recent.filter((text) => {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    } catch {
      return false;
    }
  });
  return Buffer.concat([
    Buffer.from('{"byReason":'),
    countsToJson(report.byReason),
    Buffer.from(`,"recent":[${recent.join(',')}]}`, 'utf8'),
  ]);
}
