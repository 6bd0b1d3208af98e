import { describeFaults, report } from './support/describe-faults';
import { FaultPipeline } from './support/pipeline';
import { eventually } from '@tally/testing';
import { countStream, emptyCounts } from './support/reference';
import { joinLines, streamLines } from './support/streams';

const FIRST_LINES = 100_000;
const SECOND_LINES = 50_000;

describeFaults('the producer killed mid-stream and started again', () => {
  let pipeline: FaultPipeline | undefined;

  afterAll(async () => {
    await pipeline?.dispose();
  });

  it('counts exactly the whole lines a SIGKILLed producer wrote, then every line of the next one', async () => {
    pipeline = await FaultPipeline.start('producer-kill');
    const p = pipeline;
    // Every line of the first stream is a valid event with a word of its own, p0, p1, …: the
    // words stored tell exactly which lines of it got through.
    const first = streamLines({
      seed: 4,
      lines: FIRST_LINES,
      uniqueWord: 'p',
      malformedRatio: 0,
      blankRatio: 0,
    });
    const second = streamLines({ seed: 5, lines: SECOND_LINES, uniqueWord: 'q' });
    const sentinel = JSON.stringify({ event_type: 'end-of-second', data: '', timestamp: 1 });
    second.push(Buffer.from(sentinel));
    const firstFile = p.writeFile('first.jsonl', joinLines(first));
    const secondFile = p.writeFile('second.jsonl', joinLines(second));
    await p.startIngest();

    const killed = p.startProducer(firstFile, 30_000);
    // Every line read before the kill must be counted; read, not stored, so that the producer
    // is surely still writing however far the committer lags.
    const readBeforeKill = await eventually('a third of the first stream to be read', async () => {
      const lines = await p.ingestLinesRead();
      return lines >= FIRST_LINES / 3 ? lines : undefined;
    });
    killed.child.kill('SIGKILL');
    expect(await killed.exited).toBe('SIGKILL');

    const restarted = p.startProducer(secondFile, 0);
    expect(await restarted.exited).toBe(0);
    // The FIFO keeps order: once the sentinel (the last line of all) is stored and nothing is
    // held, every line either producer got into the pipe is stored.
    await eventually('the last line of the second producer to be stored', async () =>
      (await p.counts('types')).get('end-of-second') === 1 ? true : undefined,
    );
    await eventually('the ingest to hold no counts', async () =>
      (await p.ingestMetric('ingest_held_keys')) === 0 ? true : undefined,
    );

    // What the killed producer wrote is a prefix of its stream, in whole lines (each write is
    // whole lines of at most PIPE_BUF bytes, which the kernel writes atomically): its length is
    // the number of p-words stored. A gap, a repeat or a torn line makes the comparison fail.
    const words = await p.counts('words');
    const written = [...words.keys()].filter((word) => /^p\d+$/.test(word)).length;
    expect(written).toBeGreaterThanOrEqual(readBeforeKill);
    expect(written).toBeLessThan(FIRST_LINES);
    const expected = emptyCounts();
    countStream(joinLines(first.slice(0, written)), expected);
    countStream(joinLines(second), expected);
    expect(await p.differencesFrom(expected)).toEqual([]);
    report('producer kill', {
      firstStream: FIRST_LINES,
      readBeforeKill,
      writtenByKilledProducer: written,
      secondStream: second.length,
      events: expected.events,
      malformedLines: expected.malformedLines,
    });
  });
});
