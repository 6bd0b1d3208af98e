import { Buffer } from 'node:buffer';
import { type EventFields, MAX_LINE_BYTES, type ParsedLine } from './event';
import { scanEventFields, scanEventLine } from './event-line-scanner';
import { MALFORMED, referenceParseEventLine } from './reference-parse';

/** A Buffer over the same memory, so that the scanner always sees one type (and Buffer's slices). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/**
 * Classify one line of the event stream by the rules of SPEC §1.
 *
 * A line of the common shape (a flat JSON object: strings, numbers, `true`/`false`/`null`) is
 * read by a one-pass byte scanner, without `JSON.parse`; anything else (blank lines, nesting,
 * surrogate escapes, escaped keys) goes to the reference implementation, which reads the rules
 * literally. Both give the same answer for every input (a differential property test checks it).
 *
 * @param line - the bytes of ONE line without its `\n` (a trailing `\r` is allowed and
 *   stripped), or the same line as a string, which stands for its UTF-8 encoding.
 * @returns `event` for a valid event (timestamp floored to whole seconds), `blank` for an empty
 *   line or one of only spaces, tabs and `\r`, otherwise `malformed` with the first rule broken,
 *   checked in this order: too-long, invalid-utf8, invalid-json, not-an-object, lone-surrogate,
 *   invalid-event-type, invalid-data, invalid-timestamp. Never throws.
 */
export function parseEventLine(line: Uint8Array | string): ParsedLine {
  let bytes: Buffer;
  if (typeof line === 'string') {
    // A raw lone surrogate has no UTF-8 encoding (and Buffer.from would replace it with U+FFFD);
    // a string of more than 1 MiB / 3 units might be too long: both are the reference's.
    if (line.length * 3 > MAX_LINE_BYTES || !line.isWellFormed()) {
      return referenceParseEventLine(line);
    }
    bytes = Buffer.from(line, 'utf8');
  } else {
    if (line.length > MAX_LINE_BYTES) return MALFORMED['too-long'];
    bytes = asBuffer(line);
  }
  return scanEventLine(bytes) ?? referenceParseEventLine(bytes);
}

/**
 * {@link parseEventLine} for the line `bytes[start, end)`, read in place: the same answer as
 * `parseEventLine(bytes.subarray(start, end))`, without making that view for the common
 * shape (the ingest's hot path; a differential test checks the two agree).
 */
export function parseEventLineAt(bytes: Buffer, start: number, end: number): ParsedLine {
  if (end - start > MAX_LINE_BYTES) return MALFORMED['too-long'];
  return scanEventLine(bytes, start, end) ?? referenceParseEventLine(bytes.subarray(start, end));
}

/**
 * {@link parseEventLineAt} without decoding a valid event's `data` when it can stay in
 * `bytes`: for a valid event it fills `fields` and returns null (`fields.data` is null when the
 * value is `bytes[fields.dataStart, fields.dataEnd)`, valid UTF-8 without escapes; else the
 * decoded string). Otherwise it returns the `malformed` or `blank` answer of parseEventLineAt.
 * For a reader that tokenizes `data` in place, without a string per line (the ingest).
 */
export function parseEventFieldsAt(
  bytes: Buffer,
  start: number,
  end: number,
  fields: EventFields,
): ParsedLine | null {
  if (end - start > MAX_LINE_BYTES) return MALFORMED['too-long'];
  const scanned = scanEventFields(bytes, start, end, fields);
  if (scanned !== undefined) return scanned;
  const parsed = referenceParseEventLine(bytes.subarray(start, end));
  if (parsed.kind !== 'event') return parsed;
  fields.eventType = parsed.event.eventType;
  fields.timestamp = parsed.event.timestamp;
  fields.data = parsed.event.data;
  return null;
}
