import fc from 'fast-check';
import { type CountEntry, compareEntries, rankEntries } from './ranking';

describe('compareEntries', () => {
  it('orders by descending count, then ascending key in code-unit order', () => {
    const entries: CountEntry[] = [
      ['b', 2],
      ['a', 2],
      ['z', 5],
      ['B', 2],
      ['é', 1],
      ['e', 1],
      ['😀', 1],
      ['\uffff', 1],
    ];
    expect(entries.slice().sort(compareEntries)).toEqual([
      ['z', 5],
      ['B', 2],
      ['a', 2],
      ['b', 2],
      ['e', 1],
      ['é', 1],
      ['😀', 1],
      ['\uffff', 1],
    ]);
  });
});

describe('rankEntries', () => {
  it('returns everything sorted when top is undefined', () => {
    expect(
      rankEntries([
        ['a', 1],
        ['b', 3],
      ]),
    ).toEqual([
      ['b', 3],
      ['a', 1],
    ]);
  });

  it('returns at most top entries', () => {
    expect(
      rankEntries(
        [
          ['a', 1],
          ['b', 3],
          ['c', 2],
        ],
        2,
      ),
    ).toEqual([
      ['b', 3],
      ['c', 2],
    ]);
  });

  it('gives the same answer as a full sort for any input and any top (heap path included)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.string({ maxLength: 3 }), fc.integer({ min: 1, max: 5 })), {
          selector: (e) => e[0],
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 50 }),
        (entries, top) => {
          const expected = entries.slice().sort(compareEntries).slice(0, top);
          expect(rankEntries(entries as CountEntry[], top)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
