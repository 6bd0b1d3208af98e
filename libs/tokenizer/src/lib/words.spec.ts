import { forEachWord } from './for-each-word';
import { referenceWords } from './reference-words';
import { forEachUnicodeWord } from './unicode-words';
import { words } from './words';

type Case = readonly [behaviour: string, data: string, expected: readonly string[]];

const SPEC_EXAMPLES: Case[] = [
  [
    'lower-cases and repeats "Hello, world! HELLO"',
    'Hello, world! HELLO',
    ['hello', 'world', 'hello'],
  ],
  ['finds no word in blanks', '  ', []],
  [
    'drops underscores around __proto__ and keeps digits and accents',
    '__proto__ 42 ünïcode',
    ['proto', '42', 'ünïcode'],
  ],
  ["joins don't with an apostrophe", "don't", ["don't"]],
  ['joins e-mail with a hyphen', 'e-mail', ['e-mail']],
  ["joins rock'n'roll twice", "rock'n'roll", ["rock'n'roll"]],
  ['splits at a doubled hyphen', 'a--b', ['a', 'b']],
  ["trims the quotes of 'quoted'", "'quoted'", ['quoted']],
  ['trims a trailing hyphen', 'end-', ['end']],
  ["keeps ’ and ' as different words", "don’t don't", ['don’t', "don't"]],
  ['makes a lone combining mark a word', '\u0301', ['\u0301']],
];

const ASCII: Case[] = [
  ['finds nothing in an empty string', '', []],
  ['finds lorem ipsum words', 'lorem ipsum dolor', ['lorem', 'ipsum', 'dolor']],
  ['lower-cases mixed case', 'MiXeD CaSe', ['mixed', 'case']],
  ['splits at tabs, CR and LF', 'tab\tand\r\nnew\nline', ['tab', 'and', 'new', 'line']],
  [
    'splits at every ASCII punctuation mark',
    'a.b,c;d:e!f?g(h)i[j]k{l}m/n\\o"p@q#r$s%t&u*v+w=x<y>z|0~1`2^3',
    'abcdefghijklmnopqrstuvwxyz0123'.split(''),
  ],
  ['splits at underscores', 'snake_case__name', ['snake', 'case', 'name']],
  ['trims a leading hyphen', '-start', ['start']],
  ['splits at a hyphen followed by an apostrophe', "a-'b", ['a', 'b']],
  ['splits at an apostrophe followed by a hyphen', "a'-b", ['a', 'b']],
  ['splits at a doubled apostrophe', "a''b", ['a', 'b']],
  ['finds nothing in joiners alone', "' - '' -- '-'", []],
  ['joins a hyphen between a letter and a digit', 'v2-beta 3-d', ['v2-beta', '3-d']],
  ['ends a word at a joiner that ends the input', "rock'n'", ["rock'n"]],
  ['splits at control characters', 'a\u0000b\u007fc', ['a', 'b', 'c']],
];

const DIGITS: Case[] = [
  ['keeps numbers as words', '42 007', ['42', '007']],
  ['splits decimals and thousands at the separator', '3.14 1,000', ['3', '14', '1', '000']],
  ['counts Arabic-Indic digits as digits', '١٢٣', ['١٢٣']],
  ['counts a superscript digit as a digit', 'x²', ['x²']],
  ['lower-cases a Roman numeral letter', 'Ⅻ', ['ⅻ']],
];

const ACCENTS_AND_NFC: Case[] = [
  ['keeps a precomposed é', 'café', ['café']],
  ['composes e + U+0301 into the same é', 'cafe\u0301', ['café']],
  ['lower-cases accented capitals', 'CAFÉ ÜNÏCODE', ['café', 'ünïcode']],
  ['composes NFD Hangul jamo into one syllable', '\u1112\u1161\u11ab', ['한']],
  ['composes a mark after a joined word', "don'te\u0301", ["don'té"]],
  ['reorders and composes stacked marks into one word', 'a\u0301\u0323', ['\u1ea1\u0301']],
  ['keeps a run of lone marks as one word', ' \u0301\u0301 ', ['\u0301\u0301']],
  ['composes = + U+0338 into ≠, which is a separator', 'a=\u0338b', ['a', 'b']],
  ['finds nothing in = + U+0338 alone', '=\u0338', []],
  ['does not apply compatibility mappings (NFC, not NFKC)', 'ＡＢＣ ﬁ', ['ａｂｃ', 'ﬁ']],
];

const SCRIPTS: Case[] = [
  ['keeps 東京タワー as one run of letters', '東京タワー', ['東京タワー']],
  ['splits CJK at a space', '東京 タワー', ['東京', 'タワー']],
  ['splits CJK at a full-width comma', '你好，世界', ['你好', '世界']],
  ['keeps Hangul', '한국어', ['한국어']],
  ['lower-cases Greek with the final sigma', 'ΟΔΟΣ', ['οδος']],
  ['lower-cases Cyrillic', 'Москва', ['москва']],
  ['keeps Arabic', 'مرحبا بالعالم', ['مرحبا', 'بالعالم']],
  ['lower-cases the capital sharp s', 'ẞ Straße', ['ß', 'straße']],
  ['lower-cases Turkish İ to i + U+0307', 'İstanbul', ['i\u0307stanbul']],
  ['lower-cases I to a dotted i whatever the locale', 'ISTANBUL', ['istanbul']],
];

const SEPARATORS: Case[] = [
  ['finds nothing in an emoji alone', '👍', []],
  ['splits at an emoji', 'a👍b', ['a', 'b']],
  ['finds nothing in an emoji with a skin tone', '👍🏽', []],
  ['finds nothing in a ZWJ family emoji', '👨‍👩‍👧', []],
  ['keeps the variation selector of ❤️ as a lone mark', '❤️', ['\ufe0f']],
  ['keeps a keycap emoji as a digit with marks', '1️⃣', ['1\ufe0f\u20e3']],
  ['splits at a no-break space', 'a\u00a0b', ['a', 'b']],
  ['splits at a zero-width space', 'a\u200bb', ['a', 'b']],
  ['splits at a soft hyphen', 'a\u00adb', ['a', 'b']],
  ['splits at a lone surrogate', 'a\ud800b\udc00c', ['a', 'b', 'c']],
  ['splits at the Unicode hyphen U+2010', 'e\u2010mail', ['e', 'mail']],
  ['splits at an en dash', 'a–b', ['a', 'b']],
  ['splits at the left quote ‘', 'a‘b', ['a', 'b']],
  ['trims typographic quotes', '‘quoted’ ’quoted’', ['quoted', 'quoted']],
  ['joins with ’ after ASCII text', 'it is don’t', ['it', 'is', 'don’t']],
];

const LENGTH: Case[] = [
  ['keeps a 128-letter word', 'a'.repeat(128), ['a'.repeat(128)]],
  ['drops a 129-letter word', 'a'.repeat(129), []],
  ['drops a 129-letter word between kept ones', `ok ${'B'.repeat(129)} fine`, ['ok', 'fine']],
  ['counts the hyphen of a joined word', `${'a'.repeat(64)}-${'b'.repeat(64)}`, []],
  ['keeps 128 astral letters (256 UTF-16 units)', '𝒜'.repeat(128), ['𝒜'.repeat(128)]],
  ['drops 129 astral letters', '𝒜'.repeat(129), []],
  ['lower-cases 128 astral capitals and keeps them', '𐐀'.repeat(128), ['𐐨'.repeat(128)]],
  ['keeps 64 İ, which lower-case to 128 code points', 'İ'.repeat(64), ['i\u0307'.repeat(64)]],
  ['drops 65 İ, which lower-case to 130 code points', 'İ'.repeat(65), []],
  ['drops a word of 128 code points that lower-cases to 129', 'a'.repeat(127) + 'İ', []],
  ['keeps a 128-code-point word after NFC shortens it', 'e\u0301'.repeat(128), ['é'.repeat(128)]],
  [
    'keeps a 128-letter word with a non-ASCII separator',
    `${'a'.repeat(128)}…${'b'.repeat(129)}`,
    ['a'.repeat(128)],
  ],
];

const OBJECT_KEYS: Case[] = [
  [
    'treats JavaScript property names as plain words',
    '__proto__ constructor toString',
    ['proto', 'constructor', 'tostring'],
  ],
  [
    'treats more property names as plain words',
    'hasOwnProperty valueOf prototype',
    ['hasownproperty', 'valueof', 'prototype'],
  ],
];

const ALL_CASES: Case[] = [
  ...SPEC_EXAMPLES,
  ...ASCII,
  ...DIGITS,
  ...ACCENTS_AND_NFC,
  ...SCRIPTS,
  ...SEPARATORS,
  ...LENGTH,
  ...OBJECT_KEYS,
];

function collect(forEach: (data: string, visit: (word: string) => void) => void) {
  return (data: string): string[] => {
    const found: string[] = [];
    forEach(data, (word) => found.push(word));
    return found;
  };
}

describe.each([
  ['words', words],
  ['forEachWord', collect(forEachWord)],
  ['the general path alone', collect(forEachUnicodeWord)],
  ['the reference', referenceWords],
])('%s', (_name, tokenize) => {
  it.each(ALL_CASES)('%s', (_behaviour, data, expected) => {
    expect(tokenize(data)).toEqual(expected);
  });
});
