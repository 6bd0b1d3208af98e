import { forEachUnicodeWord } from './unicode-words';
import { MAX_WORD_CODE_POINTS } from './word-length';

// What each ASCII character is to SPEC §2. In ASCII the word characters are exactly the
// letters and digits, NFC changes nothing, and lower-casing changes only A-Z.
const SEPARATOR = 0;
const WORD = 1;
const UPPER = 2;
const JOINER = 3;

const ASCII_CLASS = buildAsciiClasses();

function buildAsciiClasses(): Uint8Array {
  const classes = new Uint8Array(128).fill(SEPARATOR);
  for (let c = 0x30; c <= 0x39; c++) classes[c] = WORD; // 0-9
  for (let c = 0x61; c <= 0x7a; c++) classes[c] = WORD; // a-z
  for (let c = 0x41; c <= 0x5a; c++) classes[c] = UPPER; // A-Z
  classes[0x27] = JOINER; // '  (its twin ’ is not ASCII and takes the general path)
  classes[0x2d] = JOINER; // -
  return classes;
}

/**
 * Calls `visit` with each word of `data` (SPEC §2), lower-cased, in order of appearance,
 * duplicates kept, without building an array. Never throws by itself; an exception thrown by
 * `visit` stops the scan and propagates.
 *
 * Pure-ASCII input, the common case, is scanned once, character by character, with no NFC and
 * no regex. At the first non-ASCII character the rest is handed to the general path, from the
 * end of the last delivered word. That cut lies between an ASCII letter or digit and an ASCII
 * separator, which NFC never composes, so normalizing the whole string would leave everything
 * before the cut as it is; and no word can span the cut, because the only ASCII separators NFC
 * composes with what follows (`<`, `=`, `>` with U+0338) become symbols, still separators.
 * A word still being read when the non-ASCII character shows up is read again by the general
 * path, so `cafe\u0301` gives `café` and `don’t` stays one word.
 */
export function forEachWord(data: string, visit: (word: string) => void): void {
  const length = data.length;
  let start = -1; // start of the word being read, -1 between words
  let hasUpper = false;
  let undelivered = 0; // input before this index has produced all of its words
  for (let i = 0; i < length; i++) {
    const unit = data.charCodeAt(i);
    if (unit >= 0x80) {
      forEachUnicodeWord(undelivered === 0 ? data : data.slice(undelivered), visit);
      return;
    }
    const kind = ASCII_CLASS[unit];
    if (kind === WORD || kind === UPPER) {
      if (start < 0) {
        start = i;
        hasUpper = false;
      }
      if (kind === UPPER) hasUpper = true;
      continue;
    }
    if (start < 0) continue;
    if (kind === JOINER && i + 1 < length) {
      const next = data.charCodeAt(i + 1);
      // A word character joins; a non-ASCII one may too, and the next turn hands over.
      if (next >= 0x80 || ASCII_CLASS[next] === WORD || ASCII_CLASS[next] === UPPER) continue;
    }
    deliverAscii(data, start, i, hasUpper, visit);
    start = -1;
    undelivered = i;
  }
  if (start >= 0) deliverAscii(data, start, length, hasUpper, visit);
}

function deliverAscii(
  data: string,
  start: number,
  end: number,
  hasUpper: boolean,
  visit: (word: string) => void,
): void {
  // One ASCII character is one code point, and lower-casing ASCII keeps the length.
  if (end - start > MAX_WORD_CODE_POINTS) return;
  const word = data.slice(start, end);
  visit(hasUpper ? word.toLowerCase() : word);
}
