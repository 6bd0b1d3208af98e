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

  it('groups windowed events by second and sums every group into the all-time counts', () => {
    const agg = new BatchAggregator();
    agg.addEvent('foo', 100);
    agg.addWord('a');
    agg.addEvent('foo', 101);
    agg.addWord('a');
    agg.addEvent('bar'); // totals only
    agg.addWord('b');
    agg.addEvent('foo', 100);
    agg.addWord('c');
    const batch = agg.take();
    expect(Object.fromEntries(batch.types)).toEqual({ foo: 3, bar: 1 });
    expect(Object.fromEntries(batch.words)).toEqual({ a: 2, b: 1, c: 1 });
    const seconds = Object.fromEntries(
      batch.seconds.map((s) => [
        s.second,
        [Object.fromEntries(s.types), Object.fromEntries(s.words)],
      ]),
    );
    expect(seconds).toEqual({
      100: [{ foo: 2 }, { a: 1, c: 1 }],
      101: [{ foo: 1 }, { a: 1 }],
    });
  });

  it('keeps the words of a totals-only event out of the windowed groups', () => {
    const agg = new BatchAggregator();
    agg.addEvent('foo', 7);
    agg.addEvent('foo');
    agg.addWord('late');
    agg.addEvent('foo', 7);
    agg.addWord('x');
    const batch = agg.take();
    expect(batch.seconds).toHaveLength(1);
    expect(Object.fromEntries(batch.seconds[0].words)).toEqual({ x: 1 });
    expect(Object.fromEntries(batch.words)).toEqual({ late: 1, x: 1 });
  });

  it('splits off chunks of at most maxKeys keys and loses no count', () => {
    const agg = new BatchAggregator();
    for (let i = 0; i < 10; i++) {
      agg.addEvent(`t${i % 3}`, i % 2 === 0 ? 1000 + (i % 4) : undefined);
      agg.addWord(`w${i}`);
      agg.addWord(`w${i}`);
    }
    agg.addMalformed(4);
    const chunks = [];
    while (!agg.isEmpty) chunks.push(agg.takeChunk(4));
    for (const chunk of chunks) {
      const entries = chunk.seconds.reduce((n, s) => n + s.types.size + s.words.size, 0);
      expect(entries).toBeLessThanOrEqual(4);
      // The all-time counts of a chunk are the sum of its groups.
      const secondsEvents = chunk.seconds.reduce(
        (n, s) => n + [...s.types.values()].reduce((a, b) => a + b, 0),
        0,
      );
      expect(secondsEvents).toBeLessThanOrEqual(
        [...chunk.types.values()].reduce((a, b) => a + b, 0),
      );
    }
    const types = new Map<string, number>();
    for (const c of chunks) for (const [k, v] of c.types) types.set(k, (types.get(k) ?? 0) + v);
    expect([...types.values()].reduce((a, b) => a + b, 0)).toBe(10);
    expect(chunks.reduce((n, c) => n + c.events, 0)).toBe(10);
    expect(chunks.reduce((n, c) => n + c.malformedLines, 0)).toBe(4);
    const words = new Map<string, number>();
    for (const c of chunks) for (const [k, v] of c.words) words.set(k, (words.get(k) ?? 0) + v);
    expect(words.size).toBe(10);
    expect([...words.values()].every((v) => v === 2)).toBe(true);
  });
});
