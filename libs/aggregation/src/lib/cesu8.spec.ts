import fc from 'fast-check';
import { cesu8ToString, stringToCesu8 } from './cesu8';

describe('CESU-8', () => {
  it('is plain UTF-8 for text without characters above U+FFFF', () => {
    for (const text of ['lorem', 'ünïcode', 'don’t', '\uffff', '東京']) {
      expect(stringToCesu8(text)).toEqual(Buffer.from(text, 'utf8'));
    }
  });

  it('writes a character above U+FFFF as two 3-byte surrogate halves', () => {
    expect(stringToCesu8('😀')).toEqual(Buffer.from([0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]));
  });

  it('round-trips any well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(cesu8ToString(stringToCesu8(text))).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('orders bytes the way UTF-16 code units are ordered', () => {
    const samples = ['a', 'z', '\ue000', '\uffff', '😀', '𝒜', 'é', 'ａ', '\u{10ffff}'];
    const byCodeUnits = samples.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const byBytes = samples
      .slice()
      .sort((a, b) => Buffer.compare(stringToCesu8(a), stringToCesu8(b)));
    expect(byBytes).toEqual(byCodeUnits);
  });
});
