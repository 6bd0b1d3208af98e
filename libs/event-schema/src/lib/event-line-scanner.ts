import { Buffer, isUtf8 } from 'node:buffer';
import { createEventFields, type EventFields, type ParsedLine } from './event';
import {
  INVALID,
  isJsonWhitespace,
  lastNumber,
  lastString,
  scanLiteral,
  scanNumber,
  scanString,
  skipWhitespace,
  smallIntegerValue,
} from './json-tokens';
import { hasValidEventTypeLength, MALFORMED } from './reference-parse';

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const LEFT_BRACE = 0x7b;
const RIGHT_BRACE = 0x7d;
const LEFT_BRACKET = 0x5b;
const MINUS = 0x2d;

// What a member's value was, for the three fields that matter.
const ABSENT = 0;
const STRING = 1;
const NUMBER = 2;
const OTHER = 3; // true, false or null

const MAX_EVENT_TYPE_CODE_POINTS = 256;

const scratchFields = createEventFields();

// Field codes: which of the three keys a member has, if any.
const OTHER_KEY = 0;
const EVENT_TYPE = 1;
const DATA = 2;
const TIMESTAMP = 3;

const asciiBytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
// Each key with its closing quote, indexed by field code.
const KEYS: ReadonlyArray<Uint8Array> = [
  asciiBytes(''),
  asciiBytes('event_type"'),
  asciiBytes('data"'),
  asciiBytes('timestamp"'),
];

/**
 * The field whose key starts at `start` (just past the opening quote), closing quote included;
 * OTHER_KEY when it is none of the three and must be scanned as a string. Dispatching on the
 * first byte compares each key once, and the common keys need no string scan at all.
 */
function knownKey(bytes: Buffer, start: number, end: number): number {
  if (start === end) return OTHER_KEY;
  const first = bytes[start];
  const field =
    first === 0x65 ? EVENT_TYPE : first === 0x64 ? DATA : first === 0x74 ? TIMESTAMP : OTHER_KEY;
  if (field === OTHER_KEY) return OTHER_KEY;
  const key = KEYS[field];
  if (start + key.length > end) return OTHER_KEY;
  for (let k = 1; k < key.length; k++) if (bytes[start + k] !== key[k]) return OTHER_KEY;
  return field;
}

/**
 * A string member's value. The line is valid UTF-8 by now; escapes are rare, and decoding the
 * quoted token with JSON.parse reads them exactly as the reference does.
 */
function stringValue(
  bytes: Buffer,
  start: number,
  end: number,
  hasEscape: boolean,
  hasNonAscii: boolean,
): string {
  if (hasEscape) return JSON.parse(bytes.toString('utf8', start - 1, end + 1)) as string;
  return hasNonAscii ? bytes.toString('utf8', start, end) : latin1(bytes, start, end);
}

// Buffer's own latin1 decoder, which toString('latin1', start, end) calls after checking its
// arguments: skipping those checks saved about a sixth of a blackbox line's parse time (Node 20).
// It is not documented, so toString stands in if a Node version lacks it.
const nativeLatin1Slice = (Buffer.prototype as { latin1Slice?: unknown }).latin1Slice;
const latin1: (bytes: Buffer, start: number, end: number) => string =
  typeof nativeLatin1Slice === 'function'
    ? (bytes, start, end) => nativeLatin1Slice.call(bytes, start, end) as string
    : (bytes, start, end) => bytes.toString('latin1', start, end);

// Recent short ASCII event types, by a hash of their bytes. A stream repeats a few types on
// every line: a hit costs a hash and a compare instead of a new string (a call into C++), and
// hands the counting maps downstream a string whose hash V8 has already computed.
const TYPE_CACHE_SLOTS = 64; // a power of 2
const MAX_CACHED_TYPE_BYTES = 32;
const typeCache: string[] = new Array<string>(TYPE_CACHE_SLOTS).fill('');

/** An event type of plain ASCII (no escape, no byte >= 0x80), from the cache when it is there. */
function asciiEventType(bytes: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length > MAX_CACHED_TYPE_BYTES) return latin1(bytes, start, end);
  let hash = length;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + bytes[i]) | 0;
  const slot = hash & (TYPE_CACHE_SLOTS - 1);
  const cached = typeCache[slot];
  if (cached.length === length) {
    let k = 0;
    while (k < length && cached.charCodeAt(k) === bytes[start + k]) k++;
    if (k === length) return cached;
  }
  const eventType = latin1(bytes, start, end);
  typeCache[slot] = eventType;
  return eventType;
}

/** A number member's value, exactly as JSON.parse reads the token. */
function numberValue(bytes: Buffer, start: number, end: number, isSmallInteger: boolean): number {
  // Number() and JSON.parse both round a decimal literal to the nearest double.
  return isSmallInteger ? smallIntegerValue(bytes, start, end) : Number(latin1(bytes, start, end));
}

/**
 * Classifies a line of the common shape, a flat JSON object, without `JSON.parse`: returns
 * exactly what `referenceParseEventLine` returns, or `undefined` for a line it leaves to the
 * reference (blank, not starting with `{`, a nested value, a key with an escape, a surrogate
 * escape). The caller has already checked the size limit.
 *
 * One pass over the bytes: it validates the whole object, remembers where the values of
 * `event_type`, `data` and `timestamp` lie (a repeated key overwrites, as JSON.parse does) and
 * decodes only those. A byte >= 0x80 can only be valid inside a string; the whole line is then
 * checked with isUtf8, before any other answer, since invalid UTF-8 is reported first.
 *
 * @param start - where the line starts in `bytes` (default 0)
 * @param end - where it ends, exclusive (default `bytes.length`): the ingest scans lines in
 *   place inside the chunk it read, without a Buffer view per line
 */
export function scanEventLine(
  bytes: Buffer,
  start = 0,
  end = bytes.length,
): ParsedLine | undefined {
  const fields = scratchFields;
  const answer = scanEventFields(bytes, start, end, fields);
  if (answer !== null) return answer;
  const data =
    fields.data ?? stringValue(bytes, fields.dataStart, fields.dataEnd, false, !fields.dataAscii);
  const event = { eventType: fields.eventType, data, timestamp: fields.timestamp };
  return { kind: 'event', event };
}

/**
 * {@link scanEventLine} without decoding `data`: for a valid event it fills `fields` and
 * returns null; `fields.data` is then null unless `data` held an escape, and the value is
 * `bytes[fields.dataStart, fields.dataEnd)`, valid UTF-8 (checked with the whole line). Any
 * other answer is what `scanEventLine` returns. For a reader that tokenizes `data` in place.
 */
export function scanEventFields(
  bytes: Buffer,
  start: number,
  end: number,
  fields: EventFields,
): ParsedLine | null | undefined {
  let i = skipWhitespace(bytes, start, end);
  if (i === end || bytes[i] !== LEFT_BRACE) return undefined;

  let hasNonAscii = false;
  let typeKind = ABSENT;
  let typeStart = 0;
  let typeEnd = 0;
  let typeEscaped = false;
  let typeNonAscii = false;
  let dataKind = ABSENT;
  let dataStart = 0;
  let dataEnd = 0;
  let dataEscaped = false;
  let dataNonAscii = false;
  let timeKind = ABSENT;
  let timeStart = 0;
  let timeEnd = 0;
  let timeSmall = false;

  i = skipWhitespace(bytes, i + 1, end);
  let closed = i < end && bytes[i] === RIGHT_BRACE;
  while (!closed) {
    // A member: "key" : value, then `,` or `}`.
    if (i === end || bytes[i] !== QUOTE) return invalid(bytes, start, end);
    const keyStart = i + 1;
    const field = knownKey(bytes, keyStart, end);
    let keyEnd = keyStart + KEYS[field].length - 1;
    if (field === OTHER_KEY) {
      keyEnd = scanString(bytes, keyStart, end);
      if (keyEnd < 0) return keyEnd === INVALID ? invalid(bytes, start, end) : undefined;
      // An escaped key could spell a field name (`"d\u0061ta"`): left to the reference.
      if (lastString.hasEscape) return undefined;
      hasNonAscii ||= lastString.hasNonAscii;
    }
    i = skipWhitespace(bytes, keyEnd + 1, end);
    if (i === end || bytes[i] !== COLON) return invalid(bytes, start, end);
    i = skipWhitespace(bytes, i + 1, end);
    if (i === end) return invalid(bytes, start, end);

    const first = bytes[i];
    let kind: number;
    let valueStart = i;
    let valueEnd: number;
    if (first === QUOTE) {
      kind = STRING;
      valueStart = i + 1;
      valueEnd = scanString(bytes, valueStart, end);
      i = valueEnd + 1;
    } else if (first === MINUS || (first >= 0x30 && first <= 0x39)) {
      kind = NUMBER;
      valueEnd = scanNumber(bytes, valueStart, end);
      i = valueEnd;
    } else if (first === 0x74 || first === 0x66 || first === 0x6e) {
      kind = OTHER;
      valueEnd = scanLiteral(bytes, valueStart, end);
      i = valueEnd;
    } else if (first === LEFT_BRACE || first === LEFT_BRACKET) {
      return undefined; // nested values: JSON.parse and the reference's walk handle them
    } else {
      return invalid(bytes, start, end);
    }
    if (valueEnd < 0) return valueEnd === INVALID ? invalid(bytes, start, end) : undefined;
    const escaped = kind === STRING && lastString.hasEscape;
    const nonAscii = kind === STRING && lastString.hasNonAscii;
    hasNonAscii ||= nonAscii;

    if (field === EVENT_TYPE) {
      typeKind = kind;
      typeStart = valueStart;
      typeEnd = valueEnd;
      typeEscaped = escaped;
      typeNonAscii = nonAscii;
    } else if (field === DATA) {
      dataKind = kind;
      dataStart = valueStart;
      dataEnd = valueEnd;
      dataEscaped = escaped;
      dataNonAscii = nonAscii;
    } else if (field === TIMESTAMP) {
      timeKind = kind;
      timeStart = valueStart;
      timeEnd = valueEnd;
      timeSmall = kind === NUMBER && lastNumber.isSmallInteger;
    }

    i = skipWhitespace(bytes, i, end);
    if (i === end) return invalid(bytes, start, end);
    if (bytes[i] === RIGHT_BRACE) {
      closed = true;
    } else if (bytes[i] === COMMA) {
      i = skipWhitespace(bytes, i + 1, end);
    } else {
      return invalid(bytes, start, end);
    }
  }
  // After the closing brace: JSON whitespace only (a trailing `\r` is some).
  for (i++; i < end; i++) if (!isJsonWhitespace(bytes[i])) return invalid(bytes, start, end);
  if (hasNonAscii && !isUtf8(bytes.subarray(start, end))) return MALFORMED['invalid-utf8'];

  // The object is valid JSON without lone surrogates: now the field rules, in the SPEC order.
  if (typeKind !== STRING) return MALFORMED['invalid-event-type'];
  let eventType: string;
  if (!typeEscaped && !typeNonAscii) {
    // ASCII: one byte per code point, so the length is known before decoding.
    const length = typeEnd - typeStart;
    if (length === 0 || length > MAX_EVENT_TYPE_CODE_POINTS) {
      return MALFORMED['invalid-event-type'];
    }
    eventType = asciiEventType(bytes, typeStart, typeEnd);
  } else {
    eventType = stringValue(bytes, typeStart, typeEnd, typeEscaped, typeNonAscii);
    if (!hasValidEventTypeLength(eventType)) return MALFORMED['invalid-event-type'];
  }
  if (dataKind !== STRING) return MALFORMED['invalid-data'];
  if (timeKind !== NUMBER) return MALFORMED['invalid-timestamp'];
  const timestamp = numberValue(bytes, timeStart, timeEnd, timeSmall);
  if (!Number.isFinite(timestamp) || timestamp < 0) return MALFORMED['invalid-timestamp'];
  fields.eventType = eventType;
  // `+ 0` turns the -0 of a `-0` or `-0.0` literal into 0.
  fields.timestamp = Math.floor(timestamp) + 0;
  // With an escape it is decoded here: JSON.parse reads escapes exactly as the reference does.
  fields.data = dataEscaped ? stringValue(bytes, dataStart, dataEnd, true, dataNonAscii) : null;
  fields.dataStart = dataStart;
  fields.dataEnd = dataEnd;
  fields.dataAscii = !dataNonAscii;
  return null;
}

/** The answer for a line that is certainly not JSON: unless its bytes are not UTF-8 at all. */
function invalid(bytes: Buffer, start: number, end: number): ParsedLine {
  return isUtf8(bytes.subarray(start, end)) ? MALFORMED['invalid-json'] : MALFORMED['invalid-utf8'];
}
