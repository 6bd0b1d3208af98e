import type { MalformedReason, ParsedLine } from './event';
import { lineText } from './line-text';
import { hasLoneSurrogate, mayHaveSurrogateEscape } from './lone-surrogate';

const MAX_EVENT_TYPE_CODE_POINTS = 256;

// Shared, frozen results: a malformed line allocates nothing. The fast scanner returns these too.
export const MALFORMED: { readonly [R in MalformedReason]: ParsedLine } = {
  'too-long': Object.freeze({ kind: 'malformed', reason: 'too-long' }),
  'invalid-utf8': Object.freeze({ kind: 'malformed', reason: 'invalid-utf8' }),
  'invalid-json': Object.freeze({ kind: 'malformed', reason: 'invalid-json' }),
  'not-an-object': Object.freeze({ kind: 'malformed', reason: 'not-an-object' }),
  'lone-surrogate': Object.freeze({ kind: 'malformed', reason: 'lone-surrogate' }),
  'invalid-event-type': Object.freeze({ kind: 'malformed', reason: 'invalid-event-type' }),
  'invalid-data': Object.freeze({ kind: 'malformed', reason: 'invalid-data' }),
  'invalid-timestamp': Object.freeze({ kind: 'malformed', reason: 'invalid-timestamp' }),
};

/**
 * Whether a well-formed string has 1 to 256 code points, counting them only when its UTF-16
 * length leaves a doubt.
 */
export function hasValidEventTypeLength(value: string): boolean {
  const units = value.length;
  if (units === 0) return false;
  if (units <= MAX_EVENT_TYPE_CODE_POINTS) return true;
  if (units > 2 * MAX_EVENT_TYPE_CODE_POINTS) return false;
  let codePoints = 0;
  for (let i = 0; i < units; i++) {
    const unit = value.charCodeAt(i);
    // A low surrogate ends a pair whose high half was already counted.
    if (unit < 0xdc00 || unit > 0xdfff) codePoints++;
  }
  return codePoints <= MAX_EVENT_TYPE_CODE_POINTS;
}

/** The value of an own property: an inherited one (`constructor`, a polluted prototype) is absent. */
function own(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // A SyntaxError, or a RangeError for input V8 cannot hold: either way not JSON we can read.
    return { ok: false };
  }
}

/**
 * Classify one line of the event stream by the rules of SPEC §1, read literally: byte checks,
 * decode, `JSON.parse`, field checks. This is the reference the fast scanner of
 * `parseEventLine` is tested against (differential property test), and the path it falls back
 * to for any line it does not handle itself. Not in the package's index (`src/testing.ts` has
 * it, for benchmarks): use `parseEventLine`, which gives the same answer for every input.
 *
 * @param line - the bytes of ONE line without its `\n` (a trailing `\r` is allowed and
 *   stripped), or the same line as a string, which stands for its UTF-8 encoding.
 * @returns `event` for a valid event (timestamp floored to whole seconds), `blank` for an empty
 *   line or one of only spaces, tabs and `\r`, otherwise `malformed` with the first rule broken,
 *   checked in this order: too-long, invalid-utf8, invalid-json, not-an-object, lone-surrogate,
 *   invalid-event-type, invalid-data, invalid-timestamp. Never throws.
 */
export function referenceParseEventLine(line: Uint8Array | string): ParsedLine {
  const decoded = lineText(line);
  if (decoded.kind !== 'text') return decoded;

  const parsed = parseJson(decoded.text);
  if (!parsed.ok) return MALFORMED['invalid-json'];
  const object = parsed.value;
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    return MALFORMED['not-an-object'];
  }
  if (mayHaveSurrogateEscape(decoded.text) && hasLoneSurrogate(object)) {
    return MALFORMED['lone-surrogate'];
  }

  const eventType = own(object, 'event_type');
  if (typeof eventType !== 'string' || !hasValidEventTypeLength(eventType)) {
    return MALFORMED['invalid-event-type'];
  }
  const data = own(object, 'data');
  if (typeof data !== 'string') return MALFORMED['invalid-data'];
  const timestamp = own(object, 'timestamp');
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0) {
    return MALFORMED['invalid-timestamp'];
  }
  // `+ 0` turns the -0 of a `-0` or `-0.0` literal into 0.
  return { kind: 'event', event: { eventType, data, timestamp: Math.floor(timestamp) + 0 } };
}
