import { keyLayout } from './keys';

describe('keyLayout', () => {
  it('puts every key under <prefix>:', () => {
    const keys = keyLayout('events');
    for (const key of [keys.types, keys.words, keys.stats, keys.appliedSeq('abc')]) {
      expect(key.startsWith('events:')).toBe(true);
    }
  });

  it('keeps prefixes events and events2 apart', () => {
    const a = keyLayout('events');
    const b = keyLayout('events2');
    const all = [a.types, a.words, a.stats, b.types, b.words, b.stats];
    expect(new Set(all).size).toBe(all.length);
    expect(a.types.startsWith(`${b.prefix}:`)).toBe(false);
  });

  it('refuses an empty prefix', () => {
    expect(() => keyLayout('')).toThrow(/must not be empty/);
  });
});
