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

describe('keyLayout prefixes never overlap', () => {
  /** Every key name the layout can spell for one writer id and one bucket. */
  function allKeys(prefix: string): string[] {
    const k = keyLayout(prefix);
    return [
      k.types,
      k.words,
      k.stats,
      k.generation,
      k.stream,
      k.rank.types,
      k.rank.words,
      k.appliedSeq('i'),
      k.producerSeq('p'),
      k.writerLease('ingest', 'i'),
      k.writerLease('producer', 'p'),
      k.bucket('types', 4, 8),
      k.bucket('words', 1, 9),
      k.bucketSeal(4, 8),
      k.scratch('x'),
    ];
  }

  it.each([
    ['events', 'events2'],
    ['events', 'event'],
    ['events', 'events-rank'],
    ['a', 'ab'],
    ['{events}', 'events'],
  ])(
    'keeps every key of %j apart from %j: each key names its prefix before its first ":"',
    (a, b) => {
      for (const [mine, theirs] of [
        [a, b],
        [b, a],
      ]) {
        for (const key of allKeys(mine)) {
          expect(key.slice(0, key.indexOf(':'))).toBe(mine);
          expect(key.startsWith(`${theirs}:`)).toBe(false);
        }
      }
    },
  );

  it('refuses a prefix with ":" (events:rank would write events:rank:types, a key of events)', () => {
    expect(() => keyLayout('events:rank')).toThrow(/must not contain ":"/);
  });
});
