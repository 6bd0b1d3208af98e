import { FifoWriter } from '@tally/fifo';
import { describeFaults, report } from './support/describe-faults';
import { FaultPipeline } from './support/pipeline';
import { eventually } from '@tally/testing';
import { procMemoryBytes } from './support/processes';
import { countStream, emptyCounts, MAX_LINE_BYTES } from './support/reference';
import { joinLines, prng, streamLines } from './support/streams';

const ROUNDS = 6;
const VALID_LINES_PER_ROUND = 2_000;
/** One line of this many MiB, with no `\n` until its end, in the middle of the stream. */
const GIANT_LINE_MIB = 256;
/** The bound on the ingest's peak resident memory while it reads all of this. */
const MAX_RSS_BYTES = 300 * 1024 * 1024;
const DEPTH = 10_000;

/** A valid event line of exactly `bytes` bytes (its data is "ab ab ab …" padded with spaces). */
function eventOfSize(bytes: number): Buffer {
  const head = '{"event_type":"max-size","data":"';
  const tail = '","timestamp":1}';
  const room = bytes - head.length - tail.length;
  const data = 'ab '.repeat(Math.floor(room / 3)).padEnd(room, ' ');
  return Buffer.from(head + data + tail);
}

/** Lines that must never stop the stream; some of them are valid events on purpose. */
function garbageLines(random: () => number, valid: string): Buffer[] {
  const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => random() * 256));
  const printable = (n: number) =>
    Buffer.from(Array.from({ length: n }, () => 0x20 + Math.floor(random() * 95)));
  const withBytes = (bytes: number[]) =>
    Buffer.concat([
      Buffer.from(valid.slice(0, 30)),
      Buffer.from(bytes),
      Buffer.from(valid.slice(30)),
    ]);
  return [
    randomBytes(1 + Math.floor(random() * 8192)), // may hold \n, \r and NUL: several lines
    randomBytes(64),
    Buffer.from(valid.slice(0, Math.floor(random() * (valid.length - 1)) + 1)), // truncated
    Buffer.from('['.repeat(DEPTH)),
    Buffer.from('{"a":'.repeat(DEPTH)),
    Buffer.from('['.repeat(DEPTH) + ']'.repeat(DEPTH)), // valid JSON, not an object
    // A valid event with a 10,000-deep extra field and an escaped surrogate pair (so the
    // lone-surrogate check has to walk all of it): counted.
    Buffer.from(
      `{"event_type":"deep","data":"deep \\ud83d\\ude00 nesting","timestamp":1,"x":${'['.repeat(DEPTH)}"\\ud83d\\ude00"${']'.repeat(DEPTH)}}`,
    ),
    Buffer.from(
      `{"event_type":"deep","data":"x","timestamp":1,"x":[${'['.repeat(DEPTH)}"\\ud800"${']'.repeat(DEPTH)}]}`,
    ),
    withBytes([0xc0, 0xaf]), // overlong
    withBytes([0xed, 0xa0, 0x80]), // encoded surrogate
    withBytes([0xf4, 0x90, 0x80, 0x80]), // above U+10FFFF
    withBytes([0xe2, 0x82]), // truncated sequence
    withBytes([0x80]), // stray continuation byte
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid)]), // BOM
    Buffer.from([0, 0, 0]),
    Buffer.from('{"event_type":"x","data":"y","timestamp":1e400}'),
    Buffer.from('{"event_type":"x","data":"y","timestamp":NaN}'),
    Buffer.from('{"event_type":"first","event_type":"dup-last","data":"dup","timestamp":1}'),
    printable(2 * 1024 * 1024), // over the limit
    eventOfSize(MAX_LINE_BYTES), // exactly at the limit: valid
    eventOfSize(MAX_LINE_BYTES + 1),
    Buffer.concat([eventOfSize(MAX_LINE_BYTES), Buffer.from('\r')]), // the \r counts
  ];
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

describeFaults('garbage in the stream', () => {
  let pipeline: FaultPipeline | undefined;
  let writer: FifoWriter | undefined;

  afterAll(async () => {
    // Together: after a failure a write may be blocked on a full pipe until dispose() stops
    // the ingest; close() then ends it (FifoClosedError, nothing to add) instead of reopening.
    await Promise.all([writer?.close().catch(() => undefined), pipeline?.dispose()]);
  });

  it('counts the valid lines around random bytes, huge lines, deep nesting and invalid UTF-8 exactly, in bounded memory', async () => {
    pipeline = await FaultPipeline.start('garbage');
    const p = pipeline;
    const ingest = await p.startIngest();
    writer = new FifoWriter(p.fifo);
    const random = prng(7);
    const expected = emptyCounts();
    let garbageBytes = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const lines = streamLines({ seed: 100 + round, lines: VALID_LINES_PER_ROUND });
      const valid = lines.find((line) => line[0] === 0x7b && line.at(-1) === 0x7d)?.toString();
      const garbage = garbageLines(random, valid ?? '{}');
      garbageBytes += garbage.reduce((n, line) => n + line.length, 0);
      const piece = joinLines(shuffle([...lines, ...garbage], random));
      countStream(piece, expected);
      await writer.write(piece);

      if (round === ROUNDS / 2) {
        // The giant line, written 1 MiB at a time: the ingest must skip it, never hold it.
        const mib = Buffer.alloc(1024 * 1024, 'g');
        for (let i = 0; i < GIANT_LINE_MIB; i++) await writer.write(mib);
        await writer.write(Buffer.from('\n'));
        expected.malformedLines++; // a line over MAX_LINE_BYTES (SPEC §1)
        garbageBytes += GIANT_LINE_MIB * mib.length;
      }
    }
    await writer.close();

    await p.waitUntilStored(expected);
    expect(await p.differencesFrom(expected)).toEqual([]);
    expect(ingest.running).toBe(true);
    await eventually('the ingest to be healthy', async () =>
      (await p.ingestHealth()).status === 200 ? true : undefined,
    );
    const peakRss = procMemoryBytes(ingest.pid, 'VmHWM');
    expect(peakRss).toBeLessThan(MAX_RSS_BYTES);
    report('garbage', {
      events: expected.events,
      malformedLines: expected.malformedLines,
      garbageMiB: Math.round(garbageBytes / 1024 / 1024),
      ingestPeakRssMiB: Math.round(peakRss / 1024 / 1024),
      ingestRssNowMiB: Math.round(procMemoryBytes(ingest.pid, 'VmRSS') / 1024 / 1024),
    });
  });
});
