import { BatchAggregator } from './batch';

describe('BatchAggregator', () => {
  it('pre-sums repeated event types and words', () => {
    const agg = new BatchAggregator();
    agg.addEvent('foo');
    agg.addWord('lorem');
    agg.addEvent('foo');
    agg.addWord('lorem');
    agg.addWord('ipsum');
    agg.addMalformed();
    const batch = agg.take();
    expect([...batch.types]).toEqual([['foo', 2]]);
    expect([...batch.words]).toEqual([
      ['lorem', 2],
      ['ipsum', 1],
    ]);
    expect(batch.events).toBe(2);
    expect(batch.malformedLines).toBe(1);
  });

  it('treats __proto__, constructor and toString as ordinary keys', () => {
    const agg = new BatchAggregator();
    for (const key of ['__proto__', 'constructor', 'toString', '__proto__']) {
      agg.addEvent(key);
      agg.addWord(key);
    }
    const batch = agg.take();
    expect(batch.types.get('__proto__')).toBe(2);
    expect(batch.words.get('constructor')).toBe(1);
    expect(batch.words.get('toString')).toBe(1);
  });

  it('starts empty again after take', () => {
    const agg = new BatchAggregator();
    agg.addEvent('a');
    agg.take();
    expect(agg.isEmpty).toBe(true);
    expect(agg.distinctKeys).toBe(0);
    expect(agg.take().types.size).toBe(0);
  });

  it('reports distinct keys across types and words', () => {
    const agg = new BatchAggregator();
    agg.addEvent('a');
    agg.addEvent('b');
    agg.addWord('a');
    agg.addWord('a');
    expect(agg.distinctKeys).toBe(3);
    expect(agg.eventCount).toBe(2);
  });

  it('merges a batch back without losing counts', () => {
    const agg = new BatchAggregator();
    agg.addEvent('a');
    agg.addWord('x');
    const first = agg.take();
    agg.addEvent('a');
    agg.addMalformed(2);
    agg.merge(first);
    const merged = agg.take();
    expect(merged.types.get('a')).toBe(2);
    expect(merged.words.get('x')).toBe(1);
    expect(merged.events).toBe(2);
    expect(merged.malformedLines).toBe(2);
  });
});
