/**
 * The counts a stream of lines must produce, computed the plain way, straight from SPEC §1-§3
 * and without any tally library: if a fault test and the ingest disagree, one of two
 * independent readings of the SPEC is wrong, not the same code twice.
 */

export const MAX_LINE_BYTES = 1_048_576;
const MAX_EVENT_TYPE_CODE_POINTS = 256;
const MAX_WORD_CODE_POINTS = 128;

/** SPEC §2: runs of letters, marks and digits, joined by one `'`, `’` or `-` between two. */
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’-][\p{L}\p{M}\p{N}]+)*/gu;

/** The words SPEC §2 finds in `data`, lower-cased, in order. */
export function referenceWords(data: string): string[] {
  return (data.normalize('NFC').match(WORD) ?? [])
    .map((word) => word.toLowerCase())
    .filter((word) => [...word].length <= MAX_WORD_CODE_POINTS);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** True when some string anywhere in `value` (keys too) holds a lone surrogate. No recursion. */
function hasLoneSurrogate(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (!item.isWellFormed()) return true;
    } else if (Array.isArray(item)) {
      stack.push(...item);
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, inner] of Object.entries(item)) stack.push(key, inner);
    }
  }
  return false;
}

export type LineKind =
  { kind: 'blank' } | { kind: 'malformed' } | { kind: 'event'; eventType: string; data: string };

/** SPEC §1 for one line given without its `\n`. */
export function classifyLine(line: Buffer): LineKind {
  if (line.length > MAX_LINE_BYTES) return { kind: 'malformed' };
  if (/^[ \t\r]*$/.test(line.toString('latin1'))) return { kind: 'blank' };
  let text: string;
  try {
    text = strictUtf8.decode(line);
  } catch {
    return { kind: 'malformed' }; // not UTF-8
  }
  if (text.endsWith('\r')) text = text.slice(0, -1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'malformed' }; // not JSON
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'malformed' };
  }
  if (hasLoneSurrogate(value)) return { kind: 'malformed' };
  const fields = new Map(Object.entries(value));
  const eventType = fields.get('event_type');
  const data = fields.get('data');
  const timestamp = fields.get('timestamp');
  const typeLength = typeof eventType === 'string' ? [...eventType].length : 0;
  if (typeLength < 1 || typeLength > MAX_EVENT_TYPE_CODE_POINTS) return { kind: 'malformed' };
  if (typeof data !== 'string') return { kind: 'malformed' };
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0) {
    return { kind: 'malformed' };
  }
  return { kind: 'event', eventType: eventType as string, data };
}

/** Counts as the API reports them. */
export interface Counts {
  readonly types: Map<string, number>;
  readonly words: Map<string, number>;
  events: number;
  malformedLines: number;
}

export function emptyCounts(): Counts {
  return { types: new Map(), words: new Map(), events: 0, malformedLines: 0 };
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Adds one line (without its `\n`) to `counts`. */
export function countLine(counts: Counts, line: Buffer): void {
  const parsed = classifyLine(line);
  if (parsed.kind === 'malformed') counts.malformedLines++;
  if (parsed.kind !== 'event') return;
  counts.events++;
  bump(counts.types, parsed.eventType);
  for (const word of referenceWords(parsed.data)) bump(counts.words, word);
}

/**
 * The counts of a whole stream: split at `\n`; a non-empty remainder after the last `\n` is a
 * line too (the writer closed the FIFO).
 */
export function countStream(stream: Buffer, counts: Counts = emptyCounts()): Counts {
  let start = 0;
  for (let lf = stream.indexOf(0x0a); lf !== -1; lf = stream.indexOf(0x0a, start)) {
    countLine(counts, stream.subarray(start, lf));
    start = lf + 1;
  }
  if (start < stream.length) countLine(counts, stream.subarray(start));
  return counts;
}

/**
 * Up to `limit` differences between two count maps, as readable lines (empty when equal):
 * what a failing fault test prints instead of a diff of 100,000 entries.
 */
export function countDifferences(
  what: string,
  actual: ReadonlyMap<string, number>,
  expected: ReadonlyMap<string, number>,
  limit = 20,
): string[] {
  const out: string[] = [];
  const keys = new Set([...actual.keys(), ...expected.keys()]);
  for (const key of keys) {
    const a = actual.get(key) ?? 0;
    const e = expected.get(key) ?? 0;
    if (a !== e) out.push(`${what} ${JSON.stringify(key)}: got ${a}, expected ${e}`);
    if (out.length === limit) {
      out.push('…');
      break;
    }
  }
  return out;
}
