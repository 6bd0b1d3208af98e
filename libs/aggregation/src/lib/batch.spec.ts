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

  it('splits off chunks of at most maxKeys keys and loses no count', () => {
    const agg = new BatchAggregator();
    for (let i = 0; i < 10; i++) {
      agg.addEvent(`t${i % 3}`);
      agg.addWord(`w${i}`);
      agg.addWord(`w${i}`);
    }
    agg.addMalformed(4);
    const chunks = [];
    while (!agg.isEmpty) chunks.push(agg.takeChunk(4));
    expect(chunks.length).toBe(4);
    for (const chunk of chunks) expect(chunk.types.size + chunk.words.size).toBeLessThanOrEqual(4);
    expect(chunks.reduce((n, c) => n + c.events, 0)).toBe(10);
    expect(chunks.reduce((n, c) => n + c.malformedLines, 0)).toBe(4);
    const words = new Map<string, number>();
    for (const c of chunks) for (const [k, v] of c.words) words.set(k, (words.get(k) ?? 0) + v);
    expect(words.size).toBe(10);
    expect([...words.values()].every((v) => v === 2)).toBe(true);
  });
});
