import { describeFaults, report } from './support/describe-faults';
import { FaultPipeline } from './support/pipeline';
import { eventually } from '@tally/testing';
import { countStream } from './support/reference';
import { joinLines, streamLines } from './support/streams';

const LINES = 150_000;
const LINES_PER_SECOND = 40_000;

describeFaults('the ingest stopped mid-stream and started again', () => {
  let pipeline: FaultPipeline | undefined;

  afterAll(async () => {
    await pipeline?.dispose();
  });

  it('stores every line read before exiting 0 (SIGTERM, then SIGINT), and the next ingest reads on from the next line', async () => {
    pipeline = await FaultPipeline.start('ingest-restart');
    const p = pipeline;
    // One word per line that no other line has: a line lost or read twice shows in the counts.
    const stream = joinLines(streamLines({ seed: 3, lines: LINES, uniqueWord: 'r' }));
    const expected = countStream(stream);
    const file = p.writeFile('ingest-restart.jsonl', stream);
    await p.startIngest();
    const producer = p.startProducer(file, LINES_PER_SECOND);

    const stops: Record<string, unknown>[] = [];
    /** Lines stored by the ingests stopped so far: all they read (blank lines aside). */
    let storedByStopped = 0;
    for (const [signal, share] of [
      ['SIGTERM', 0.25],
      ['SIGINT', 0.6],
    ] as const) {
      // Triggered by lines read, not stored: the producer is then surely still writing.
      await eventually(`${share * 100}% of the stream to be read`, async () =>
        storedByStopped + (await p.ingestLinesRead()) >= LINES * share ? true : undefined,
      );
      const old = p.ingest;
      old.child.kill(signal);
      expect(await old.exited).toBe(0);
      const stats = await p.stats();
      storedByStopped = stats.events + stats.malformedLines;
      stops.push({ signal, storedAtExit: storedByStopped });
      // Meanwhile the producer waits for a reader, holding the lines it could not write.
      expect(producer.running).toBe(true);
      await p.startIngest();
    }
    expect(await producer.exited).toBe(0);

    await p.waitUntilStored(expected);
    expect(await p.differencesFrom(expected)).toEqual([]);
    report('ingest restarts', {
      lines: LINES,
      events: expected.events,
      malformedLines: expected.malformedLines,
      stops,
    });
  });
});
