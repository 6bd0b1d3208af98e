import { describeFaults, report } from './support/describe-faults';
import { FaultPipeline } from './support/pipeline';
import { holdFaultFor } from './support/processes';
import { countStream } from './support/reference';
import { joinLines, streamLines } from './support/streams';

const LINES = 240_000;
const LINES_PER_SECOND = 40_000;
/**
 * Time between two CLIENT KILL rounds, 150 to 300 ms in a fixed jittered sequence: the fault's
 * rhythm, not a synchronization. The ingest reconnects within ~100 ms and writes a batch every
 * 20 ms in between, so kills land on idle connections, on reconnects and on writes in flight
 * (some after Redis applied the batch: the retry then finds it applied, a "duplicate").
 * Closer kills would keep the ingest in its retry backoff and expose fewer writes.
 */
const killGapMs = (round: number) => 150 + ((round * 37) % 151);
/** When, into the stream (about 6 s long at this pace), Redis is paused once. */
const PAUSE_AFTER_MS = 1_500;

describeFaults('Redis connections dropped mid-stream', () => {
  let pipeline: FaultPipeline | undefined;

  afterAll(async () => {
    await pipeline?.dispose();
  });

  it('counts 240,000 lines exactly while every connection is killed again and again and Redis pauses for 2 s', async () => {
    pipeline = await FaultPipeline.start('drops');
    const stream = joinLines(streamLines({ seed: 1, lines: LINES }));
    const expected = countStream(stream);
    const file = pipeline.writeFile('drops.jsonl', stream);
    // Small batches, so that many writes are in flight when connections are cut.
    await pipeline.startIngest({ BATCH_MAX_KEYS: '500', FLUSH_INTERVAL_MS: '20' });
    const producer = pipeline.startProducer(file, LINES_PER_SECOND);

    const admin = pipeline.admin;
    const startedAt = Date.now();
    let rounds = 0;
    let connectionsKilled = 0;
    let pausedAtRound = 0;
    while (producer.running) {
      rounds++;
      if (pausedAtRound === 0 && Date.now() - startedAt >= PAUSE_AFTER_MS) {
        // Every client's commands wait 2 s (ingest writes and api reads alike).
        await admin.client('PAUSE', 2000);
        pausedAtRound = rounds;
      }
      // SKIPME yes (the default): our own admin connection survives.
      connectionsKilled += Number(await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes'));
      await holdFaultFor(killGapMs(rounds));
    }
    expect(await producer.exited).toBe(0);

    await pipeline.waitUntilStored(expected);
    expect(await pipeline.differencesFrom(expected)).toEqual([]);
    expect(pausedAtRound).toBeGreaterThan(0);
    expect(connectionsKilled).toBeGreaterThan(10);
    const failedAttempts = await pipeline.ingestMetric('ingest_commit_failures_total');
    expect(failedAttempts).toBeGreaterThan(0);
    expect((await pipeline.ingestHealth()).status).toBe(200);
    report('connection drops', {
      lines: LINES,
      events: expected.events,
      malformedLines: expected.malformedLines,
      distinctWords: expected.words.size,
      killRounds: rounds,
      connectionsKilled,
      failedAttempts,
      duplicates: await pipeline.ingestMetric('ingest_batches_duplicate_total'),
      batches: await pipeline.ingestMetric('ingest_batches_committed_total'),
    });
  });
});
