/** SPEC §2.4: a word longer than this many code points, counted after lower-casing, is dropped. */
export const MAX_WORD_CODE_POINTS = 128;

/**
 * Whether `word` (already lower-cased) is short enough to be counted, i.e. has at most
 * {@link MAX_WORD_CODE_POINTS} code points. An astral letter such as `𝒜` is one code point but
 * two UTF-16 units, so `word.length` alone would drop words of 65 to 128 astral letters.
 */
export function fitsMaxWordLength(word: string): boolean {
  const units = word.length;
  // Code points never outnumber UTF-16 units: almost every word is decided here, without a scan.
  if (units <= MAX_WORD_CODE_POINTS) return true;
  // Each surrogate pair is two units but one code point. Even a word made only of pairs has
  // more than the limit once it passes twice the limit in units.
  if (units > 2 * MAX_WORD_CODE_POINTS) return false;
  let codePoints = units;
  for (let i = 0; i < units - 1; i++) {
    const unit = word.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = word.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        codePoints--;
        i++;
      }
    }
  }
  return codePoints <= MAX_WORD_CODE_POINTS;
}
