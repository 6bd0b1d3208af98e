import { BatchAggregator } from '@tally/aggregation';
import { parseEventLine } from '@tally/event-schema';
import { words } from '@tally/tokenizer';
import fc from 'fast-check';
import { LineCounter } from './line-counter';

const NOW_MS = 1_700_000_000_500;
const NOW = 1_700_000_000;

function countAll(chunks: (string | Buffer)[], end = false) {
  const counts = new BatchAggregator();
  const counter = new LineCounter(
    () => counts,
    3600,
    () => NOW_MS,
  );
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
    expect(counter.totals).toEqual({
      events: 2,
      malformedLines: 1,
      blankLines: 1,
      // The examples are from 2019: older than the retention, so in the totals only.
      outsideWindow: { old: 2, future: 0 },
    });
  });

  it('joins a line split across chunks', () => {
    const line = '{"event_type":"foo","data":"Hello, world! HELLO","timestamp":1}\n';
    const { batch } = countAll([line.slice(0, 10), line.slice(10, 30), line.slice(30)]);
    expect(Object.fromEntries(batch.words)).toEqual({ hello: 2, world: 1 });
  });

  it('waits for the newline and reports being mid-line', () => {
    const counts = new BatchAggregator();
    const counter = new LineCounter(
      () => counts,
      3600,
      () => NOW_MS,
    );
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

  it('puts events into the windowed buckets of their second, except too old or too far ahead', () => {
    const line = (type: string, t: number) =>
      `{"event_type":"${type}","data":"w","timestamp":${t}}\n`;
    const { batch, counter } = countAll([
      line('now', NOW) +
        line('fraction', NOW - 10.9) +
        line('old', NOW - 3600) +
        line('future-ok', NOW + 300) +
        line('future-far', NOW + 301),
    ]);
    expect(batch.events).toBe(5);
    expect(Object.fromEntries(batch.seconds.map((s) => [s.second, [...s.types.keys()]]))).toEqual({
      [NOW]: ['now'],
      [NOW - 11]: ['fraction'],
      [NOW + 300]: ['future-ok'],
    });
    expect(batch.types.get('old')).toBe(1);
    expect(batch.types.get('future-far')).toBe(1);
    expect(counter.totals.outsideWindow).toEqual({ old: 1, future: 1 });
  });

  it('tokenizes data in place, escaped and non-ASCII data included', () => {
    const { batch } = countAll([
      '{"event_type":"a","data":"Café CAFE\u0301 don’t","timestamp":1}\n' +
        '{"event_type":"b","data":"tab\\there \\u00c9t\\u00c9 \\"Quoted\\"","timestamp":1}\n' +
        '{"event_type":"c","data":"Lorem lorem LOREM","timestamp":1}\n',
    ]);
    expect(Object.fromEntries(batch.words)).toEqual({
      café: 2,
      'don’t': 1,
      tab: 1,
      here: 1,
      été: 1,
      quoted: 1,
      lorem: 3,
    });
  });

  it('counts exactly what parseEventLine and words find, line by line, however the chunks fall', () => {
    const piece = fc.constantFrom(
      '{ "event_type": "foo", "data": "Lorem ipsum DOLOR", "timestamp": 1 }',
      '{"event_type":"bar","data":"don\'t e-mail","timestamp":2}',
      '{"event_type":"é","data":"Ünïcode ÉLAN cafe\u0301","timestamp":3}',
      '{"event_type":"esc","data":"a\\nb \\u00e9t\\u00e9 \\ud83d\\ude00x","timestamp":4}',
      '{"event_type":"nested","x":{"y":1},"data":"Nested Words","timestamp":5}',
      '{"event_type":"t","data":"ÿ/þ","timestamp":6}',
      '{ "Cu*S',
      '',
      '  \r',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (lines, cuts) => {
          const bytes = Buffer.from(lines.map((line) => line + '\n').join(''));
          const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...at].map((from, i) =>
            bytes.subarray(from, [...at, bytes.length][i]),
          );
          const { batch } = countAll(chunks);
          const expected = new Map<string, number>();
          let events = 0;
          for (const line of lines) {
            const parsed = parseEventLine(Buffer.from(line));
            if (parsed.kind !== 'event') continue;
            events++;
            for (const word of words(parsed.event.data)) {
              expected.set(word, (expected.get(word) ?? 0) + 1);
            }
          }
          expect(batch.events).toBe(events);
          expect(new Map([...batch.words].sort())).toEqual(new Map([...expected].sort()));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
