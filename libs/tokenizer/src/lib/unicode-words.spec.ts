import { forEachUnicodeWord } from './unicode-words';

function collect(data: string): string[] {
  const found: string[] = [];
  forEachUnicodeWord(data, (word) => found.push(word));
  return found;
}

describe('forEachUnicodeWord', () => {
  it.each([
    ['normalizes to NFC before matching', 'Cafe\u0301', ['café']],
    [
      'treats ASCII like the fast path does',
      "Don't e-mail a--b 'x'",
      ["don't", 'e-mail', 'a', 'b', 'x'],
    ],
    // Lower-casing the whole line would see ".Α" after the Σ and keep it a medial σ.
    ['lower-cases each word on its own, so a Σ that ends a word becomes ς', 'ΑΣ.Α', ['ας', 'α']],
  ])('%s', (_name, data, expected) => {
    expect(collect(data)).toEqual(expected);
  });

  it('keeps its place when the visitor runs it again on other text', () => {
    // The compiled pattern is shared between calls; a nested call must not move the outer one.
    const outer: string[] = [];
    forEachUnicodeWord('ä ö ü', (word) => {
      outer.push(word);
      forEachUnicodeWord('x y z w v', () => undefined);
    });
    expect(outer).toEqual(['ä', 'ö', 'ü']);
  });
});
