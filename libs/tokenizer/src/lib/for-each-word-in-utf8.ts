import { Buffer } from 'node:buffer';
import { forEachUnicodeWord } from './unicode-words';
import { MAX_WORD_CODE_POINTS } from './word-length';

// What each ASCII byte is to SPEC §2 (as in for-each-word.ts), and its lower-case form.
const SEPARATOR = 0;
const WORD = 1;
const UPPER = 2;
const JOINER = 3;

const ASCII_CLASS = new Uint8Array(128).fill(SEPARATOR);
for (let c = 0x30; c <= 0x39; c++) ASCII_CLASS[c] = WORD; // 0-9
for (let c = 0x61; c <= 0x7a; c++) ASCII_CLASS[c] = WORD; // a-z
for (let c = 0x41; c <= 0x5a; c++) ASCII_CLASS[c] = UPPER; // A-Z
ASCII_CLASS[0x27] = JOINER; // '  (its twin ’ is not ASCII and takes the general path)
ASCII_CLASS[0x2d] = JOINER; // -

const LOWER = new Uint8Array(128);
for (let c = 0; c < 128; c++) LOWER[c] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;

// Recent ASCII words, by a hash of their lower-cased bytes: a stream repeats its words, and a
// hit hands the visitor the same string again instead of a new one (no slice, no
// toLowerCase), a string whose hash V8 has already computed for the counting maps. Two ways
// per set: a miss moves the first way's word to the second and takes the first.
const CACHE_SETS = 4096; // a power of 2
const MAX_CACHED_WORD_BYTES = 32;
const cache: string[] = new Array<string>(2 * CACHE_SETS).fill('');
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/**
 * {@link forEachWord} on UTF-8 bytes: calls `visit` with each word of `bytes[start, end)`
 * decoded as UTF-8 (SPEC §2), exactly the words of `forEachWord(bytes.toString('utf8', start,
 * end))`, invalid bytes included (they decode to U+FFFD, a separator). Never throws by
 * itself; an exception thrown by `visit` stops the scan and propagates.
 *
 * ASCII is read in place, lower-cased and hashed as it is scanned, and a word seen recently
 * is handed over as the string made for it before. At the first byte >= 0x80 the rest, from
 * the end of the last delivered word, is decoded and handed to the general path (the cut is
 * safe for the reasons given in for-each-word.ts; an ASCII byte always decodes on its own).
 */
export function forEachWordInUtf8(
  bytes: Buffer,
  start: number,
  end: number,
  visit: (word: string) => void,
): void {
  let wordStart = -1; // start of the word being read, -1 between words
  let hasUpper = false;
  let hash = FNV_OFFSET;
  let undelivered = start; // input before this index has produced all of its words
  for (let i = start; i < end; i++) {
    const byte = bytes[i];
    if (byte >= 0x80) {
      forEachUnicodeWord(bytes.toString('utf8', undelivered, end), visit);
      return;
    }
    const kind = ASCII_CLASS[byte];
    if (kind === WORD || kind === UPPER) {
      if (wordStart < 0) {
        wordStart = i;
        hasUpper = false;
        hash = FNV_OFFSET;
      }
      if (kind === UPPER) hasUpper = true;
      hash = Math.imul(hash ^ LOWER[byte], FNV_PRIME);
      continue;
    }
    if (wordStart < 0) continue;
    if (kind === JOINER && i + 1 < end) {
      const next = bytes[i + 1];
      // A word character joins; a non-ASCII one may too, and the next turn hands over.
      if (next >= 0x80 || ASCII_CLASS[next] === WORD || ASCII_CLASS[next] === UPPER) {
        hash = Math.imul(hash ^ byte, FNV_PRIME);
        continue;
      }
    }
    deliverAscii(bytes, wordStart, i, hasUpper, hash, visit);
    wordStart = -1;
    undelivered = i;
  }
  if (wordStart >= 0) deliverAscii(bytes, wordStart, end, hasUpper, hash, visit);
}

function deliverAscii(
  bytes: Buffer,
  start: number,
  end: number,
  hasUpper: boolean,
  hash: number,
  visit: (word: string) => void,
): void {
  // One ASCII byte is one code point, and lower-casing ASCII keeps the length.
  const length = end - start;
  if (length > MAX_WORD_CODE_POINTS) return;
  if (length > MAX_CACHED_WORD_BYTES) {
    visit(asciiWord(bytes, start, end, hasUpper));
    return;
  }
  const first = ((hash ^ (hash >>> 15)) & (CACHE_SETS - 1)) << 1;
  const way0 = cache[first];
  if (sameWord(way0, bytes, start, length)) {
    visit(way0);
    return;
  }
  const way1 = cache[first + 1];
  if (sameWord(way1, bytes, start, length)) {
    visit(way1);
    return;
  }
  const word = asciiWord(bytes, start, end, hasUpper);
  cache[first + 1] = way0;
  cache[first] = word;
  visit(word);
}

/** Whether `cached` is `bytes[start, start + length)` lower-cased. */
function sameWord(cached: string, bytes: Buffer, start: number, length: number): boolean {
  if (cached.length !== length) return false;
  for (let k = 0; k < length; k++) {
    if (cached.charCodeAt(k) !== LOWER[bytes[start + k]]) return false;
  }
  return true;
}

function asciiWord(bytes: Buffer, start: number, end: number, hasUpper: boolean): string {
  const word = latin1(bytes, start, end);
  return hasUpper ? word.toLowerCase() : word;
}

// Buffer's own latin1 decoder, without toString's argument checks (as the event-line scanner
// does; toString stands in if a Node version lacks it). ASCII reads the same in latin1.
const nativeLatin1Slice = (Buffer.prototype as { latin1Slice?: unknown }).latin1Slice;
const latin1: (bytes: Buffer, start: number, end: number) => string =
  typeof nativeLatin1Slice === 'function'
    ? (bytes, start, end) => nativeLatin1Slice.call(bytes, start, end) as string
    : (bytes, start, end) => bytes.toString('latin1', start, end);
