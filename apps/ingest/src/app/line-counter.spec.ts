import { BatchAggregator } from '@tally/aggregation';
import { LineCounter } from './line-counter';

function countAll(chunks: (string | Buffer)[], end = false) {
  const counts = new BatchAggregator();
  const counter = new LineCounter(() => counts);
  for (const chunk of chunks) counter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  if (end) counter.endOfStream();
  return { batch: counts.take(), counter };
}

describe('LineCounter', () => {
  it('counts event types, words and malformed lines of the blackbox examples', () => {
    const { batch, counter } = countAll([
      '{ "event_type": "baz", "data": "amet", "timestamp": 1564039783 }\n' +
        '{ "event_type": "foo", "data": "dolor ipsum", "timestamp": 1564039789 }\n' +
        '{ "Cu*S\n\n',
    ]);
    expect(Object.fromEntries(batch.types)).toEqual({ baz: 1, foo: 1 });
    expect(Object.fromEntries(batch.words)).toEqual({ amet: 1, dolor: 1, ipsum: 1 });
    expect(batch.events).toBe(2);
    expect(batch.malformedLines).toBe(1);
    expect(counter.totals).toEqual({ events: 2, malformedLines: 1, blankLines: 1 });
  });

  it('joins a line split across chunks', () => {
    const line = '{"event_type":"foo","data":"Hello, world! HELLO","timestamp":1}\n';
    const { batch } = countAll([line.slice(0, 10), line.slice(10, 30), line.slice(30)]);
    expect(Object.fromEntries(batch.words)).toEqual({ hello: 2, world: 1 });
  });

  it('waits for the newline and reports being mid-line', () => {
    const counts = new BatchAggregator();
    const counter = new LineCounter(() => counts);
    counter.push(Buffer.from('{"event_type":"foo","data":"x","timestamp":1}'));
    expect(counter.midLine).toBe(true);
    expect(counts.eventCount).toBe(0);
    counter.endOfStream();
    expect(counter.midLine).toBe(false);
    expect(counts.eventCount).toBe(1);
  });

  it('counts an oversize line once as malformed and keeps counting after it', () => {
    const big = Buffer.alloc(1_048_577, 0x61);
    const { batch } = countAll([big, '\n{"event_type":"foo","data":"","timestamp":1}\n']);
    expect(batch.malformedLines).toBe(1);
    expect(batch.events).toBe(1);
  });

  it('keeps __proto__ as an ordinary event type and word', () => {
    const { batch } = countAll(['{"event_type":"__proto__","data":"__proto__","timestamp":1}\n']);
    expect(batch.types.get('__proto__')).toBe(1);
    expect(batch.words.get('proto')).toBe(1);
  });
});
