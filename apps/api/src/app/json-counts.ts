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
 * encoded one by one, then copied once into the one Buffer returned. Between pieces it lets
 * the event loop run: a 1,000,000-word list takes 0.4–1.5 s on 2 busy cores, which in one go
 * would hold every other request (and their deadlines) that long.
 *
 * @throws Error when a count is not a finite number (a corrupt stored value): the text would
 *   not be JSON, so the request fails with a 500 instead of sending it.
 */
export async function countsToJson(
  entries: readonly CountEntry[],
  chunkChars = JSON_CHUNK_CHARS,
): Promise<Buffer> {
  const writer = new JsonObjectWriter(chunkChars);
  for (let i = writer.write(entries, 0); i < entries.length; i = writer.write(entries, i)) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return writer.finish();
}

/** `countsToJson` in one go, for lists known to be short (the malformed lines' reasons). */
export function countsToJsonSync(entries: readonly CountEntry[]): Buffer {
  const writer = new JsonObjectWriter(Number.MAX_SAFE_INTEGER);
  writer.write(entries, 0);
  return writer.finish();
}

/** A JSON object text written piece by piece (see countsToJson). */
class JsonObjectWriter {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private text = '{';
  private count = 0;

  constructor(private readonly chunkChars: number) {}

  /** Writes `entries` from `from` until a piece is full or they end; returns where it stopped. */
  write(entries: readonly CountEntry[], from: number): number {
    for (let i = from; i < entries.length; i++) {
      const [key, count] = entries[i];
      if (!Number.isFinite(count)) {
        throw new Error(`count of ${JSON.stringify(key)} is not a finite number: ${count}`);
      }
      this.text += (this.count++ === 0 ? '' : ',') + JSON.stringify(key) + ':' + count;
      if (this.text.length >= this.chunkChars) {
        const chunk = Buffer.from(this.text, 'utf8');
        this.chunks.push(chunk);
        this.bytes += chunk.length;
        this.text = '';
        return i + 1;
      }
    }
    return entries.length;
  }

  finish(): Buffer {
    const last = Buffer.from(this.text + '}', 'utf8');
    if (this.chunks.length === 0) return last;
    this.chunks.push(last);
    return Buffer.concat(this.chunks, this.bytes + last.length);
  }
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
    countsToJsonSync(report.byReason),
    Buffer.from(`,"recent":[${recent.join(',')}]}`, 'utf8'),
  ]);
}
