import { fitsMaxWordLength } from './word-length';

/**
 * SPEC §2 as one pattern: a run of letters, marks and digits, then any number of single joiners
 * (`'` U+0027, `’` U+2019, `-` U+002D) each followed by another run. A joiner with no run on one
 * side is left out of the match, so it separates (`a--b`, `'quoted'`, `end-`).
 */
const WORD_PATTERN = /[\p{L}\p{M}\p{N}]+(?:['’-][\p{L}\p{M}\p{N}]+)*/gu;

/**
 * The general path: calls `visit` with each word of `data` per SPEC §2, for any input
 * (NFC-normalized first; lone surrogates are separators). Correct for ASCII too, only slower
 * than the fast path in `forEachWord`.
 */
export function forEachUnicodeWord(data: string, visit: (word: string) => void): void {
  const text = data.normalize('NFC');
  const pattern = WORD_PATTERN;
  let from = 0;
  for (;;) {
    // The pattern object is shared, so `visit` may run this function again (for another string)
    // and move lastIndex: our position lives in `from` and is set before every search.
    pattern.lastIndex = from;
    const match = pattern.exec(text);
    if (match === null) return;
    from = pattern.lastIndex;
    const word = match[0].toLowerCase();
    if (fitsMaxWordLength(word)) visit(word);
  }
}
