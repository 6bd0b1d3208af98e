import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { forEachWord } from './for-each-word';
import { forEachWordInUtf8 } from './for-each-word-in-utf8';
import { referenceWords } from './reference-words';

// Differential test: the byte tokenizer must give exactly the words of the string tokenizer on
// the same bytes decoded as UTF-8 (invalid bytes become U+FFFD), and so of SPEC §2's literal
// reading, whatever the words it has cached from earlier calls.

const RUNS = 10_000;

/** The words of `bytes[start, end)`, read in place. */
function inPlace(bytes: Buffer, start = 0, end = bytes.length): string[] {
  const found: string[] = [];
  forEachWordInUtf8(bytes, start, end, (word) => found.push(word));
  return found;
}

function byString(text: string): string[] {
  const found: string[] = [];
  forEachWord(text, (word) => found.push(word));
  return found;
}

/** Both tokenizers on `bytes`, alone and amid other bytes (which must not leak in). */
function expectSameWords(bytes: Uint8Array): void {
  const buffer = Buffer.from(bytes);
  const text = buffer.toString('utf8');
  const expected = referenceWords(text);
  expect(byString(text)).toEqual(expected);
  expect(inPlace(buffer)).toEqual(expected);
  const framed = Buffer.concat([Buffer.from('Ab'), buffer, Buffer.from([0x63, 0xcc, 0x81])]);
  expect(inPlace(framed, 2, 2 + buffer.length)).toEqual(expected);
}

/** Mostly ASCII words in mixed case, with joiners, separators and a few non-ASCII units. */
const asciiHeavyUnit = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('a', 'e', 'z', 'A', 'E', 'Z', '0', '9') },
  { weight: 6, arbitrary: fc.constantFrom("'", '-', ' ', ' ', '_', ',', '.', '=', '<', '\n') },
  { weight: 1, arbitrary: fc.constantFrom('’', 'é', 'İ', 'ß', '𝒜', '👍', '東', '\u00a0', 'Σ') },
  { weight: 1, arbitrary: fc.constantFrom('\u0301', '\u0338', '\u0323', '\ufe0f') },
);

/** Words that recur in every case, so that later ones are read from the cache. */
const recurring = fc.constantFrom(
  'lorem',
  'Lorem',
  'LOREM',
  'lOrEm',
  "don't",
  "DON'T",
  'e-mail',
  'E-Mail',
  '42',
  'x',
  'X',
  'a'.repeat(32),
  'A'.repeat(32),
  'b'.repeat(33),
  'B'.repeat(33),
  'c'.repeat(128),
  'C'.repeat(129),
  'café',
  'CAFE\u0301',
);
const separator = fc.constantFrom(' ', '  ', ', ', '-', "'", '--', '\t', '’', '…', '\u00a0');

const utf8 = (s: string) => Buffer.from(s, 'utf8');

describe('forEachWordInUtf8 agrees with forEachWord on the same bytes', () => {
  it('on ASCII-heavy text with joiners, spaces and a few non-ASCII characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: asciiHeavyUnit, maxLength: 60 }), (s) =>
        expectSameWords(utf8(s)),
      ),
      { numRuns: RUNS },
    );
  });

  it('on any ASCII bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 60 }), (s) =>
        expectSameWords(utf8(s)),
      ),
      { numRuns: RUNS },
    );
  });

  it('on the UTF-8 of any Unicode string, emoji and marks included', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.string({ unit: 'grapheme', maxLength: 20 }),
        ),
        (s) => expectSameWords(utf8(s)),
      ),
      { numRuns: RUNS },
    );
  });

  it('on arbitrary bytes, invalid UTF-8 included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => expectSameWords(bytes)),
      { numRuns: RUNS },
    );
  });

  it('on ASCII text with invalid or cut UTF-8 sequences in it', () => {
    const bad = fc.constantFrom(
      [0xff],
      [0x80],
      [0xc3], // a lead byte without its continuation
      [0xe2, 0x80], // ’ cut short
      [0xc0, 0xaf], // an overlong '/'
      [0xed, 0xa0, 0x80], // an encoded surrogate
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
      [0xe2, 0x80, 0x99], // ’ itself
      [0xcc, 0x81], // U+0301
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: asciiHeavyUnit, maxLength: 8 }).map(utf8), bad), {
          maxLength: 8,
        }),
        (pieces) => expectSameWords(Buffer.concat(pieces.map((p) => Buffer.from(p)))),
      ),
      { numRuns: RUNS },
    );
  });

  it('on recurring words in every case, across calls that share the cache', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(recurring, separator), { maxLength: 12 }), (pairs) =>
        expectSameWords(utf8(pairs.map(([w, s]) => w + s).join(''))),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('forEachWordInUtf8', () => {
  it.each([
    ['the SPEC example', 'Hello, world! HELLO', ['hello', 'world', 'hello']],
    [
      'property names as plain words',
      '__proto__ constructor toString',
      ['proto', 'constructor', 'tostring'],
    ],
    ['a hand-over inside a word', 'lorem cafe\u0301 ipsum', ['lorem', 'café', 'ipsum']],
    ['’ after ASCII text', "it's don’t", ["it's", 'don’t']],
    ['a 128-letter word, kept', 'A'.repeat(128), ['a'.repeat(128)]],
    ['a 129-letter word, dropped', `ok ${'a'.repeat(129)} fine`, ['ok', 'fine']],
  ])('reads %s', (_name, text, expected) => {
    expect(inPlace(utf8(text))).toEqual(expected);
  });

  it('splits at an invalid byte', () => {
    expect(inPlace(Buffer.from([0x61, 0xff, 0x62, 0x80, 0x63]))).toEqual(['a', 'b', 'c']);
  });

  it('reads only its slice of the buffer', () => {
    expect(inPlace(utf8('xxLorem ipsumyy'), 2, 13)).toEqual(['lorem', 'ipsum']);
    expect(inPlace(utf8('abc'), 1, 1)).toEqual([]);
  });

  it('hands over the same string for a word it has just seen, in any case', () => {
    const [first, second, third] = inPlace(utf8('Recurring recurring RECURRING'));
    expect(first).toBe('recurring');
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('stays exact while far more distinct words than it caches go through it', () => {
    // 60,000 words evict each other many times over; every one must still come out right.
    const words = Array.from({ length: 60_000 }, (_, i) => `W${i.toString(36)}x${i % 7}`);
    const text = utf8(`${words.join(' ')} ${words.reverse().join(' ')}`);
    const found = inPlace(text);
    const expected = byString(text.toString('utf8'));
    // The first difference, not a diff of 120,000 words.
    const firstDifference = expected.findIndex((word, i) => found[i] !== word);
    expect({ firstDifference, length: found.length }).toEqual({
      firstDifference: -1,
      length: expected.length,
    });
  });

  it('stops and rethrows when the visitor throws', () => {
    const seen: string[] = [];
    expect(() =>
      forEachWordInUtf8(utf8('one two three'), 0, 13, (word) => {
        seen.push(word);
        if (word === 'two') throw new Error('stop');
      }),
    ).toThrow('stop');
    expect(seen).toEqual(['one', 'two']);
  });
});
