import { Buffer, isUtf8 } from 'node:buffer';
import { MAX_LINE_BYTES, type MalformedReason } from './event';

/** The text of a line that is neither blank nor too long nor invalid UTF-8. */
export type LineText = { kind: 'text'; text: string };

/** What the byte-level rules of SPEC §1 (size, blank, UTF-8) make of one line. */
export type LineTextResult =
  | LineText
  | { kind: 'blank' }
  | { kind: 'malformed'; reason: Extract<MalformedReason, 'too-long' | 'invalid-utf8'> };

const BLANK = Object.freeze({ kind: 'blank' } as const);
const TOO_LONG = Object.freeze({ kind: 'malformed', reason: 'too-long' } as const);
const INVALID_UTF8 = Object.freeze({ kind: 'malformed', reason: 'invalid-utf8' } as const);

const TAB = 0x09;
const CR = 0x0d;
const SPACE = 0x20;

// Non-fatal on purpose: bytes are checked with isUtf8 first, which is cheaper than catching the
// fatal decoder's exception on every bad line. ignoreBOM keeps a U+FEFF so that JSON.parse
// rejects it, as it rejects the same line given as a string.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function isBlankUnit(unit: number): boolean {
  return unit === SPACE || unit === TAB || unit === CR;
}

function isBlankBytes(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (!isBlankUnit(bytes[i])) return false;
  return true;
}

function isBlankString(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (!isBlankUnit(line.charCodeAt(i))) return false;
  return true;
}

function fromBytes(bytes: Uint8Array): LineTextResult {
  if (bytes.length > MAX_LINE_BYTES) return TOO_LONG;
  if (isBlankBytes(bytes)) return BLANK;
  if (!isUtf8(bytes)) return INVALID_UTF8;
  const end = bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
  return {
    kind: 'text',
    text: decoder.decode(end === bytes.length ? bytes : bytes.subarray(0, end)),
  };
}

/** UTF-8 size of a string, computed only when the UTF-16 length leaves it in doubt. */
function exceedsMaxBytes(line: string): boolean {
  // Every UTF-16 unit takes 1 to 3 UTF-8 bytes (a surrogate pair: 4 bytes for 2 units).
  if (line.length > MAX_LINE_BYTES) return true;
  if (line.length * 3 <= MAX_LINE_BYTES) return false;
  return Buffer.byteLength(line, 'utf8') > MAX_LINE_BYTES;
}

function fromString(line: string): LineTextResult {
  if (exceedsMaxBytes(line)) return TOO_LONG;
  if (isBlankString(line)) return BLANK;
  // A raw lone surrogate in a JS string has no UTF-8 encoding: the string stands for bytes that
  // are not UTF-8. (A `\ud800` *escape* is ASCII text and is judged later, as a lone surrogate.)
  if (!line.isWellFormed()) return INVALID_UTF8;
  return { kind: 'text', text: line.endsWith('\r') ? line.slice(0, -1) : line };
}

/**
 * Apply the byte-level rules of SPEC §1 to one line given without its `\n`: too long (the `\r`
 * counts), blank (only spaces, tabs, `\r`), invalid UTF-8; otherwise the decoded text with one
 * trailing `\r` stripped. A string stands for its UTF-8 encoding.
 */
export function lineText(line: Uint8Array | string): LineTextResult {
  return typeof line === 'string' ? fromString(line) : fromBytes(line);
}
