import { describeFaults, report } from './support/describe-faults';
import { FaultPipeline } from './support/pipeline';
import { eventually } from '@tally/testing';
import { holdFaultFor } from './support/processes';
import { countStream } from './support/reference';
import { joinLines, streamLines } from './support/streams';

const LINES = 100_000;
const LINES_PER_SECOND = 20_000;
const OUTAGE_MS = 5_000;
/** Small, so that the outage reaches the bound: every line brings a word of its own. */
const MAX_PENDING_KEYS = 20_000;

describeFaults('Redis down for 5 s mid-stream, restarted from its AOF', () => {
  let pipeline: FaultPipeline | undefined;

  afterAll(async () => {
    await pipeline?.dispose();
  });

  it('holds the counts (bounded), reports the outage on both /health, and stores everything once afterwards', async () => {
    pipeline = await FaultPipeline.start('outage', { appendonly: true });
    const p = pipeline;
    const stream = joinLines(streamLines({ seed: 2, lines: LINES, uniqueWord: 'u' }));
    const expected = countStream(stream);
    const file = p.writeFile('outage.jsonl', stream);
    await p.startIngest({ MAX_PENDING_KEYS: String(MAX_PENDING_KEYS), BATCH_MAX_KEYS: '2000' });
    await eventually('the ingest to be healthy', async () =>
      (await p.ingestHealth()).status === 200 ? true : undefined,
    );
    const producer = p.startProducer(file, LINES_PER_SECOND);

    const before = await eventually('a fifth of the stream to be stored', async () => {
      const stats = await p.stats();
      return stats.events >= expected.events / 5 ? stats : undefined;
    });
    const outageStart = Date.now();
    await p.redis.kill(); // SIGKILL: appendfsync always, so nothing acknowledged is lost

    const ingestDown = await eventually('the ingest /health to report the outage', async () => {
      const res = await p.ingestHealth();
      return res.status === 503 ? res : undefined;
    });
    expect(ingestDown.body).toMatchObject({
      status: 'unavailable',
      error: expect.stringMatching(/^redis: /),
    });
    const apiDown = await eventually('the api /health to report the outage', async () => {
      const res = await p.apiGet('/health');
      return res.status === 503 ? res : undefined;
    });
    expect(apiDown.body).toMatchObject({ status: 'unavailable', error: expect.any(String) });
    // Polled: the api may answer from its micro-cache (READ_CACHE_MS) for a moment.
    const statsDown = await eventually('/events/stats to answer 503', async () => {
      const res = await p.apiGet('/events/stats');
      return res.status === 503 ? res : undefined;
    });
    expect(statsDown.body).toEqual({ error: expect.any(String) });
    expect(statsDown.ms).toBeLessThan(2_000);

    await eventually('the ingest to stop reading at MAX_PENDING_KEYS', async () =>
      (await p.ingestMetric('ingest_reader_paused')) === 1 ? true : undefined,
    );
    const heldKeys = await p.ingestMetric('ingest_held_keys');
    expect(heldKeys).toBeGreaterThanOrEqual(MAX_PENDING_KEYS);
    const readWhenPaused = await p.ingestLinesRead();

    await holdFaultFor(OUTAGE_MS - (Date.now() - outageStart));
    // Nothing was read while paused, and the producer was held back by the full pipe: at this
    // pace it would have written every line by now.
    expect(await p.ingestLinesRead()).toBe(readWhenPaused);
    expect(producer.running).toBe(true);
    expect((await p.ingestHealth()).status).toBe(503);

    await p.redis.start(); // same port and directory: loads the AOF
    const survived = await eventually('the api to read the counts again', () => p.stats());
    expect(survived.events).toBeGreaterThanOrEqual(before.events);
    await eventually('both /health to be ok again', async () =>
      (await p.ingestHealth()).status === 200 && (await p.apiGet('/health')).status === 200
        ? true
        : undefined,
    );
    expect(await producer.exited).toBe(0);

    await p.waitUntilStored(expected);
    expect(await p.differencesFrom(expected)).toEqual([]);
    report('redis outage', {
      lines: LINES,
      events: expected.events,
      distinctWords: expected.words.size,
      storedBeforeOutage: before.events,
      readWhenPaused,
      heldKeysWhenPaused: heldKeys,
      outageMs: OUTAGE_MS,
      countsRightAfterRestart: survived.events,
      failedAttempts: await p.ingestMetric('ingest_commit_failures_total'),
      duplicates: await p.ingestMetric('ingest_batches_duplicate_total'),
    });
  });
});
