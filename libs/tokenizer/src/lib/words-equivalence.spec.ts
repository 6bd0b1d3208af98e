import fc from 'fast-check';
import { forEachWord } from './for-each-word';
import { referenceWords } from './reference-words';
import { words } from './words';

// Differential test: `words` (ASCII fast path, hand-over, general path) must give exactly what
// the literal reading of SPEC §2 in reference-words.ts gives, on input built to hit the edges.

const RUNS = 10_000;

/** One UTF-16 unit from the surrogate range, alone: JS strings may hold it, UTF-8 may not. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u));

/** Mostly ASCII letters, digits, joiners and separators, with a few non-ASCII troublemakers. */
const asciiHeavyUnit = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('a', 'e', 'z', 'A', 'E', 'Z', '0', '9') },
  { weight: 6, arbitrary: fc.constantFrom("'", '-', ' ', ' ', '_', ',', '.', '=', '<', '\n') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('’', 'é', 'İ', 'ß', '𝒜', '𐐀', '👍', '東', '\u00a0', 'Σ'),
  },
  { weight: 1, arbitrary: fc.constantFrom('\u0301', '\u0338', '\u0323', '\u0307', '\ufe0f') },
);

/** Letters that decompose, marks and joiners: NFC has work to do. */
const composingUnit = fc.constantFrom(
  'a',
  'e',
  'o',
  'A',
  'E',
  'n',
  'é',
  'Å',
  'ñ',
  'ệ',
  '한',
  'ḱ',
  'İ',
  'Ω',
  'Ω',
  'Å',
  '\u0301',
  '\u0300',
  '\u0302',
  '\u0323',
  '\u0308',
  '\u030a',
  '\u0338',
  '\u1100',
  '\u1161',
  '\u11a8',
  "'",
  '’',
  '-',
  ' ',
  '=',
  '<',
  '>',
);

const property = (data: fc.Arbitrary<string>) =>
  fc.assert(
    fc.property(data, (s) => {
      expect(words(s)).toEqual(referenceWords(s));
    }),
    { numRuns: RUNS },
  );

describe('words agrees with the reference tokenizer', () => {
  it('on ASCII-heavy text with joiners, spaces and a few non-ASCII characters', () => {
    property(fc.string({ unit: asciiHeavyUnit, maxLength: 60 }));
  });

  it('on any ASCII string', () => {
    property(fc.string({ unit: 'binary-ascii', maxLength: 60 }));
  });

  it('on any Unicode string, lone surrogates included', () => {
    property(
      fc.string({
        unit: fc.oneof(
          { weight: 9, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
          { weight: 1, arbitrary: loneSurrogate },
        ),
        maxLength: 40,
      }),
    );
  });

  it('on grapheme clusters (emoji sequences, scripts with marks)', () => {
    property(fc.string({ unit: 'grapheme', maxLength: 30 }));
  });

  it('on text with combining marks, in NFC, NFD and NFKD', () => {
    property(
      fc
        .tuple(
          fc.string({ unit: composingUnit, maxLength: 40 }),
          fc.constantFrom('NFC', 'NFD', 'NFKD', undefined),
        )
        .map(([s, form]) => (form === undefined ? s : s.normalize(form))),
    );
  });

  it('on an ASCII prefix followed by arbitrary text (the hand-over point)', () => {
    property(
      fc
        .tuple(
          fc.string({ unit: asciiHeavyUnit, maxLength: 30 }),
          fc.string({ unit: composingUnit, maxLength: 5 }),
          fc.string({ unit: asciiHeavyUnit, maxLength: 30 }),
        )
        .map(([a, b, c]) => a.replace(/[\u0080-\uffff]/g, '') + b + c),
    );
  });

  it('on words around the 128-code-point limit', () => {
    const piece = fc.constantFrom('a', 'B', 'İ', '𝒜', '𐐀', 'e\u0301', '-', "'", 'é');
    property(
      fc
        .tuple(fc.array(piece, { minLength: 55, maxLength: 140 }), fc.constantFrom('', ' x', '👍y'))
        .map(([pieces, tail]) => pieces.join('') + tail),
    );
  });
});

describe('forEachWord', () => {
  it('delivers exactly the words that words returns', () => {
    fc.assert(
      fc.property(fc.string({ unit: asciiHeavyUnit, maxLength: 60 }), (s) => {
        const seen: string[] = [];
        forEachWord(s, (word) => seen.push(word));
        expect(seen).toEqual(words(s));
      }),
      { numRuns: RUNS },
    );
  });
});
