import { describeFaults, report } from './support/describe-faults';
import { FaultPipeline } from './support/pipeline';
import { countStream } from './support/reference';
import { ReplyCuttingProxy } from './support/reply-cutting-proxy';
import { joinLines, streamLines } from './support/streams';

const LINES = 60_000;
const CUTS = 10;
/** Lose the reply of every CUT_EVERY-th applied batch, CUTS times. */
const CUT_EVERY = 3;

describeFaults('batch replies lost after Redis applied the batch', () => {
  let pipeline: FaultPipeline | undefined;
  let proxy: ReplyCuttingProxy | undefined;

  afterAll(async () => {
    await pipeline?.dispose();
    await proxy?.close();
  });

  it('applies each such batch once: the retry finds it applied and the counts stay exact', async () => {
    pipeline = await FaultPipeline.start('lost-reply');
    let appliedReplies = 0;
    const server = pipeline.redis;
    proxy = await ReplyCuttingProxy.start(
      server.port,
      () => ++appliedReplies % CUT_EVERY === 0 && (proxy?.repliesCut ?? 0) < CUTS,
    );
    const stream = joinLines(streamLines({ seed: 6, lines: LINES }));
    const expected = countStream(stream);
    const file = pipeline.writeFile('lost-reply.jsonl', stream);
    // The ingest writes through the proxy; the api reads from Redis directly.
    await pipeline.startIngest({ REDIS_URL: proxy.url(), FLUSH_INTERVAL_MS: '10' });
    const producer = pipeline.startProducer(file, 20_000);
    expect(await producer.exited).toBe(0);

    await pipeline.waitUntilStored(expected);
    expect(await pipeline.differencesFrom(expected)).toEqual([]);
    expect(proxy.repliesCut).toBe(CUTS);
    // Each lost reply made exactly one retry find its batch already applied.
    expect(await pipeline.ingestMetric('ingest_batches_duplicate_total')).toBe(CUTS);
    report('lost replies', {
      lines: LINES,
      events: expected.events,
      repliesCut: proxy.repliesCut,
      duplicates: await pipeline.ingestMetric('ingest_batches_duplicate_total'),
      failedAttempts: await pipeline.ingestMetric('ingest_commit_failures_total'),
      batches: await pipeline.ingestMetric('ingest_batches_committed_total'),
    });
  });
});
