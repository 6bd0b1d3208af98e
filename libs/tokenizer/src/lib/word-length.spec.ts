import { fitsMaxWordLength, MAX_WORD_CODE_POINTS } from './word-length';

describe('fitsMaxWordLength', () => {
  it.each([
    ['an empty string', '', true],
    ['a short word', 'lorem', true],
    ['128 ASCII letters', 'a'.repeat(128), true],
    ['129 ASCII letters', 'a'.repeat(129), false],
    ['128 astral letters (256 UTF-16 units)', '𝒜'.repeat(128), true],
    ['129 astral letters (258 UTF-16 units)', '𝒜'.repeat(129), false],
    ['127 ASCII letters and one astral letter', 'a'.repeat(127) + '𝒜', true],
    ['128 ASCII letters and one astral letter', 'a'.repeat(128) + '𝒜', false],
    ['64 astral letters and 64 ASCII letters', '𐐨'.repeat(64) + 'b'.repeat(64), true],
    ['a word far longer than the limit', 'x'.repeat(10_000), false],
  ])('decides %s: %p', (_name, word, expected) => {
    expect(fitsMaxWordLength(word)).toBe(expected);
  });

  it('counts a lone surrogate as one code point', () => {
    // Lone surrogates do not reach the tokenizer's output (they separate words), but the count
    // must still agree with [...word].length for any string.
    const word = 'a'.repeat(127) + '\ud800';
    expect([...word].length).toBe(128);
    expect(fitsMaxWordLength(word)).toBe(true);
    expect(fitsMaxWordLength(word + '\udc00x')).toBe(false);
  });

  it('uses the limit of SPEC §2', () => {
    expect(MAX_WORD_CODE_POINTS).toBe(128);
  });
});
