import { bucketGroups } from './commit-batch';

describe('bucketGroups', () => {
  const second = (s: number, words: [string, number][]) => ({
    second: s,
    types: new Map([['t', 1]]),
    words: new Map(words),
  });

  it('gives one group with every level for a batch within one second', () => {
    const groups = bucketGroups([second(100, [['a', 2]])], [1, 4, 16]);
    expect(groups).toHaveLength(1);
    expect(groups[0].buckets).toEqual([
      { size: 1, start: 100 },
      { size: 4, start: 100 },
      { size: 16, start: 96 },
    ]);
  });

  it('sums the seconds a coarser bucket holds, once per distinct set of seconds', () => {
    const groups = bucketGroups(
      [
        second(100, [['a', 1]]),
        second(101, [
          ['a', 2],
          ['b', 1],
        ]),
      ],
      [1, 4, 16],
    );
    expect(groups).toHaveLength(3);
    const both = groups.find((g) => g.buckets.length === 2);
    expect(both?.buckets).toEqual([
      { size: 4, start: 100 },
      { size: 16, start: 96 },
    ]);
    expect(Object.fromEntries(both?.counts.words ?? [])).toEqual({ a: 3, b: 1 });
    expect(both?.counts.types.get('t')).toBe(2);
  });

  it('puts every second into exactly one bucket of every level', () => {
    const seconds = [95, 96, 100, 101, 111, 112, 200].map((s) => second(s, [['w', 1]]));
    const ladder = [1, 4, 16, 64];
    const groups = bucketGroups(seconds, ladder);
    for (const size of ladder) {
      const total = groups
        .flatMap((g) =>
          g.buckets.filter((b) => b.size === size).map(() => g.counts.words.get('w') ?? 0),
        )
        .reduce((a, b) => a + b, 0);
      expect(total).toBe(seconds.length);
    }
  });
});
