import { type CountEntry, compareEntries } from './ranking';

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
