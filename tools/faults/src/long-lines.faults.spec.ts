import { describeFaults, report } from './support/describe-faults';
import { FaultPipeline } from './support/pipeline';
import { countStream, MAX_LINE_BYTES, type Counts } from './support/reference';
import { StreamPipeline } from './support/stream-pipeline';
import { joinLines, streamLines } from './support/streams';

/**
 * A valid event line of exactly `bytes` bytes (its `\n` not included): `data` is `<tag>`
 * followed by `<fill> <fill> …`, so the words of each long line have counts of their own.
 */
function eventOfSize(bytes: number, tag: string, fill: string): Buffer {
  const head = `{"event_type":"long","data":"${tag}`;
  const tail = '","timestamp":1}';
  const room = bytes - head.length - tail.length;
  const data = ` ${fill}`.repeat(Math.floor(room / (fill.length + 1))).padEnd(room, ' ');
  return Buffer.from(head + data + tail);
}

const LONG_LINES = {
  '200 KiB': eventOfSize(200 * 1024, 'tag200k', 'ab'),
  '1 MiB - 1': eventOfSize(MAX_LINE_BYTES - 1, 'tagalmost', 'cd'),
  '1 MiB': eventOfSize(MAX_LINE_BYTES, 'tagexact', 'ef'),
  '1 MiB + 1': eventOfSize(MAX_LINE_BYTES + 1, 'tagover', 'gh'), // valid JSON, malformed by size
  '5 MiB': eventOfSize(5 * MAX_LINE_BYTES, 'tagfive', 'ij'),
};

/** Ordinary lines around lines from 200 KiB to 5 MiB, as GENERATOR_CMD writes them. */
function longLineStream(): Buffer {
  const normal = (seed: number, lines: number) => streamLines({ seed, lines });
  return joinLines([
    ...normal(31, 3_000),
    LONG_LINES['200 KiB'],
    ...normal(32, 3_000),
    LONG_LINES['1 MiB - 1'],
    ...normal(33, 1_000),
    LONG_LINES['1 MiB'],
    LONG_LINES['1 MiB + 1'],
    ...normal(34, 1_000),
    LONG_LINES['5 MiB'],
    ...normal(35, 2_000),
    LONG_LINES['200 KiB'],
  ]);
}

/** What must be counted, checked against itself first so a wrong stream fails here. */
function expectedCounts(stream: Buffer): Counts {
  const expected = countStream(stream);
  expect(expected.words.get('tag200k')).toBe(2);
  expect(expected.words.get('tagalmost')).toBe(1);
  expect(expected.words.get('tagexact')).toBe(1);
  expect(expected.words.has('tagover')).toBe(false);
  expect(expected.words.has('tagfive')).toBe(false);
  expect(expected.words.get('cd')).toBeGreaterThan(300_000);
  return expected;
}

function longWordCounts(words: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const word of ['ab', 'cd', 'ef', 'gh', 'ij']) out[word] = words.get(word) ?? 0;
  return out;
}

describeFaults('lines from 200 KiB to 5 MiB through GENERATOR_CMD', () => {
  let fifo: FaultPipeline | undefined;
  let streams: StreamPipeline | undefined;

  afterEach(async () => {
    await fifo?.dispose();
    await streams?.dispose();
    fifo = undefined;
    streams = undefined;
  });

  it('redis-stream: each long line reaches the ingest whole, one past 1 MiB as one malformed line', async () => {
    streams = await StreamPipeline.start('long-lines');
    const stream = longLineStream();
    const expected = expectedCounts(stream);
    const file = streams.writeFile('long.jsonl', stream);
    await streams.startIngest();
    expect(await streams.startProducer(file, 0).exited).toBe(0);
    await streams.waitUntilCounted(expected);
    expect(await streams.differencesFrom(expected)).toEqual([]);
    report('long lines, redis-stream', {
      events: expected.events,
      malformedLines: expected.malformedLines,
      longWords: longWordCounts(expected.words),
    });
  });

  it('fifo: each long line reaches the ingest whole, one past 1 MiB as one malformed line', async () => {
    fifo = await FaultPipeline.start('long-lines');
    const stream = longLineStream();
    const expected = expectedCounts(stream);
    const file = fifo.writeFile('long.jsonl', stream);
    await fifo.startIngest();
    expect(await fifo.startProducer(file, 0).exited).toBe(0);
    await fifo.waitUntilStored(expected);
    expect(await fifo.differencesFrom(expected)).toEqual([]);
    report('long lines, fifo', {
      events: expected.events,
      malformedLines: expected.malformedLines,
      longWords: longWordCounts(expected.words),
    });
  });
});
