// Byte-level scanners for the JSON tokens of one line (RFC 8259), used by the event-line
// scanner. Each returns the index just past what it read, or a negative code:
//   INVALID      the text is certainly not JSON (a byte no JSON text may hold there, or the end
//                of the line inside a token: a line that ends before its object closes);
//   UNSUPPORTED  valid or not, the scanner leaves it to the reference parser.
// They never read outside [start, end).

export const INVALID = -1;
export const UNSUPPORTED = -2;

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const LOWER_U = 0x75;

// What a byte is inside a string.
const PLAIN = 0;
const END_QUOTE = 1;
const ESCAPE = 2;
const CONTROL = 3; // U+0000-U+001F must be escaped: a raw one is invalid JSON
const NON_ASCII = 4; // part of a multi-byte character, checked as UTF-8 with the whole line

const STRING_BYTE = buildStringByteClasses();

function buildStringByteClasses(): Uint8Array {
  const classes = new Uint8Array(256);
  classes.fill(CONTROL, 0, 0x20);
  classes.fill(NON_ASCII, 0x80, 0x100);
  classes[QUOTE] = END_QUOTE;
  classes[BACKSLASH] = ESCAPE;
  return classes;
}

// The one-character escapes of RFC 8259: \" \\ \/ \b \f \n \r \t.
const SIMPLE_ESCAPE = new Uint8Array(128);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;

/** Facts about the last string read by {@link scanString}. */
export const lastString = { hasEscape: false, hasNonAscii: false };

export function isJsonWhitespace(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

export function skipWhitespace(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end && isJsonWhitespace(bytes[i])) i++;
  return i;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/**
 * The rest of a string whose opening quote is at `start - 1`: returns the index of its closing
 * quote. A `\u` escape of a surrogate is UNSUPPORTED: only the reference judges lone
 * surrogates, and how they pair up. Sets {@link lastString}.
 */
export function scanString(bytes: Uint8Array, start: number, end: number): number {
  let hasEscape = false;
  let hasNonAscii = false;
  let i = start;
  while (i < end) {
    const kind = STRING_BYTE[bytes[i]];
    if (kind === PLAIN) {
      i++;
    } else if (kind === END_QUOTE) {
      lastString.hasEscape = hasEscape;
      lastString.hasNonAscii = hasNonAscii;
      return i;
    } else if (kind === NON_ASCII) {
      hasNonAscii = true;
      i++;
    } else if (kind === CONTROL || i + 1 === end) {
      return INVALID;
    } else {
      hasEscape = true;
      const escaped = bytes[i + 1];
      if (escaped === LOWER_U) {
        if (i + 5 >= end) return INVALID; // four hex digits, then at least the closing quote
        for (let h = i + 2; h < i + 6; h++) if (!isHexDigit(bytes[h])) return INVALID;
        // \uD800-\uDFFF: the first digit is d or D and the second 8-9, a-f or A-F.
        if ((bytes[i + 2] | 0x20) === 0x64 && !(bytes[i + 3] <= 0x37)) return UNSUPPORTED;
        i += 6;
      } else if (escaped < 128 && SIMPLE_ESCAPE[escaped] === 1) {
        i += 2;
      } else {
        return INVALID;
      }
    }
  }
  return INVALID;
}

/** Facts about the last number read by {@link scanNumber}. */
export const lastNumber = { isSmallInteger: false };

/** Most digits a plain integer may have to be computed exactly digit by digit (< 2^53). */
const MAX_SMALL_INTEGER_DIGITS = 15;

/**
 * A number starting at `start` (a `-` or a digit): `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`.
 * What follows it is the caller's to check (`01` reads as `0`, then `1` fails there).
 * Sets {@link lastNumber}: whether it is a plain integer of at most 15 digits.
 */
export function scanNumber(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  if (bytes[i] === MINUS) i++;
  if (i === end || !isDigit(bytes[i])) return INVALID;
  if (bytes[i++] !== ZERO) while (i < end && isDigit(bytes[i])) i++;
  const integerEnd = i;
  if (i < end && bytes[i] === DOT) {
    i++;
    if (i === end || !isDigit(bytes[i])) return INVALID;
    while (i < end && isDigit(bytes[i])) i++;
  }
  if (i < end && (bytes[i] === LOWER_E || bytes[i] === UPPER_E)) {
    i++;
    if (i < end && (bytes[i] === PLUS || bytes[i] === MINUS)) i++;
    if (i === end || !isDigit(bytes[i])) return INVALID;
    while (i < end && isDigit(bytes[i])) i++;
  }
  lastNumber.isSmallInteger =
    i === integerEnd && bytes[start] !== MINUS && i - start <= MAX_SMALL_INTEGER_DIGITS;
  return i;
}

/** The value of a plain integer of at most 15 digits, exactly as JSON.parse gives it. */
export function smallIntegerValue(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + (bytes[i] - ZERO);
  return value;
}

const LITERALS: ReadonlyArray<Uint8Array> = ['true', 'false', 'null'].map((w) =>
  Uint8Array.from(w, (c) => c.charCodeAt(0)),
);

/** `true`, `false` or `null` at `start` (which holds `t`, `f` or `n`). */
export function scanLiteral(bytes: Uint8Array, start: number, end: number): number {
  const first = bytes[start];
  const literal = first === 0x74 ? LITERALS[0] : first === 0x66 ? LITERALS[1] : LITERALS[2];
  if (start + literal.length > end) return INVALID;
  for (let k = 1; k < literal.length; k++) {
    if (bytes[start + k] !== literal[k]) return INVALID;
  }
  return start + literal.length;
}
