import { forEachWord } from './for-each-word';

function collect(data: string): string[] {
  const found: string[] = [];
  forEachWord(data, (word) => found.push(word));
  return found;
}

describe('forEachWord', () => {
  // The fast path hands over to the general path at the first non-ASCII character; these
  // cases put that character in each position the hand-over has to get right.
  it.each([
    ['a non-ASCII letter after delivered words', 'lorem ipsum é', ['lorem', 'ipsum', 'é']],
    [
      'a combining mark inside the word being read',
      'lorem cafe\u0301 ipsum',
      ['lorem', 'café', 'ipsum'],
    ],
    ['a combining mark right after a separator', 'lorem \u0301', ['lorem', '\u0301']],
    ['a combining mark right after a delivered word and a separator', 'ab=\u0338cd', ['ab', 'cd']],
    ['’ inside the word being read', "it's don’t", ["it's", 'don’t']],
    ['a non-ASCII letter after a pending hyphen', 'lorem e-é', ['lorem', 'e-é']],
    ['a non-ASCII letter after a doubled hyphen', 'lorem e--é', ['lorem', 'e', 'é']],
    ['an emoji between words', 'Lorem👍Ipsum', ['lorem', 'ipsum']],
    ['a non-ASCII letter after a dropped long word', `${'x'.repeat(129)} é`, ['é']],
    ['a non-ASCII character at the very start', 'éa b', ['éa', 'b']],
  ])('hands over correctly at %s', (_name, data, expected) => {
    expect(collect(data)).toEqual(expected);
  });

  it('does not normalize pure-ASCII input', () => {
    const normalize = jest.spyOn(String.prototype, 'normalize');
    try {
      expect(collect("Lorem IPSUM don't e-mail -- 'quoted' 42")).toEqual([
        'lorem',
        'ipsum',
        "don't",
        'e-mail',
        'quoted',
        '42',
      ]);
      expect(normalize).not.toHaveBeenCalled();
    } finally {
      normalize.mockRestore();
    }
  });

  it('delivers each word once, in order, before it reads further', () => {
    const seen: string[] = [];
    forEachWord('b a b', (word) => seen.push(word));
    expect(seen).toEqual(['b', 'a', 'b']);
  });

  it('stops and rethrows when the visitor throws', () => {
    const seen: string[] = [];
    expect(() =>
      forEachWord('one two three', (word) => {
        seen.push(word);
        if (word === 'two') throw new Error('stop');
      }),
    ).toThrow('stop');
    expect(seen).toEqual(['one', 'two']);
  });

  it('gives the same words when the visitor tokenizes other text meanwhile', () => {
    const outer: string[] = [];
    const inner: string[] = [];
    forEachWord('Ünï cöde ünï', (word) => {
      outer.push(word);
      forEachWord('Ïnner wörd', (w) => inner.push(w));
    });
    expect(outer).toEqual(['ünï', 'cöde', 'ünï']);
    expect(inner).toEqual(['ïnner', 'wörd', 'ïnner', 'wörd', 'ïnner', 'wörd']);
  });
});
