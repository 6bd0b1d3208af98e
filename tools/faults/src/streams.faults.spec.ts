import { describeFaults, report } from './support/describe-faults';
import { eventually } from '@tally/testing';
import { holdFaultFor } from './support/processes';
import { countStream } from './support/reference';
import { StreamPipeline } from './support/stream-pipeline';
import { joinLines, streamLines } from './support/streams';

/** Short, so that entries left pending by a killed replica or a lost reply come back fast. */
const CLAIM_IDLE_MS = '1000';

describeFaults('TRANSPORT=redis-stream: replicas in one consumer group', () => {
  let pipeline: StreamPipeline | undefined;

  afterEach(async () => {
    await pipeline?.dispose();
    pipeline = undefined;
  });

  it('counts 500,000 lines exactly with 3 replicas, and each replica does some of the work', async () => {
    pipeline = await StreamPipeline.start('scale');
    const stream = joinLines(streamLines({ seed: 7, lines: 500_000 }));
    const expected = countStream(stream);
    const file = pipeline.writeFile('scale.jsonl', stream);
    for (let i = 0; i < 3; i++) await pipeline.startIngest({ STREAM_CLAIM_IDLE_MS: CLAIM_IDLE_MS });
    const startedAt = Date.now();
    const producer = pipeline.startProducer(file, 0);
    expect(await producer.exited).toBe(0);
    await pipeline.waitUntilCounted(expected);
    const seconds = (Date.now() - startedAt) / 1000;
    expect(await pipeline.differencesFrom(expected)).toEqual([]);
    const acked: number[] = [];
    for (const ingest of pipeline.ingests) {
      acked.push(await pipeline.metric(ingest, 'ingest_stream_entries_acked_total'));
    }
    for (const n of acked) expect(n).toBeGreaterThan(0);
    report('3 replicas', {
      lines: 500_000,
      seconds,
      linesPerSecond: Math.round(500_000 / seconds),
      entriesAckedPerReplica: acked,
    });
  });

  it('reclaims the entries a SIGKILLed replica left pending and counts them exactly once', async () => {
    pipeline = await StreamPipeline.start('kill');
    const stream = joinLines(streamLines({ seed: 8, lines: 150_000 }));
    const expected = countStream(stream);
    const file = pipeline.writeFile('kill.jsonl', stream);
    const victim = await pipeline.startIngest({ STREAM_CLAIM_IDLE_MS: CLAIM_IDLE_MS });
    const survivor = await pipeline.startIngest({ STREAM_CLAIM_IDLE_MS: CLAIM_IDLE_MS });
    const producer = pipeline.startProducer(file, 50_000);
    await eventually('the victim to have counted some entries', async () =>
      (await pipeline!.metric(victim, 'ingest_stream_entries_acked_total')) > 0 ? true : undefined,
    );
    // Kill it while it holds entries: freeze it as soon as it has some pending (so it cannot
    // commit them any more), check they are still pending, else let it go on and try again.
    const pendingOfVictim = async () =>
      (
        (await pipeline!.admin.xpending(
          pipeline!.keys.stream,
          'ingest',
          '-',
          '+',
          1000,
          victim.id,
        )) as unknown[]
      ).length;
    const held = await eventually('the victim to be frozen holding pending entries', async () => {
      if ((await pendingOfVictim()) === 0) return undefined;
      victim.process.child.kill('SIGSTOP');
      const n = await pendingOfVictim();
      if (n > 0) return n;
      victim.process.child.kill('SIGCONT');
      return undefined;
    });
    victim.process.child.kill('SIGKILL');
    expect(await victim.process.exited).toBe('SIGKILL');
    // A commit the victim sent just before it froze may still reach Redis and ack some of its
    // entries: what it left pending is known once Redis has dropped its connections (the
    // survivor keeps its own two).
    await eventually("Redis to drop the dead replica's connections", async () => {
      const list = (await pipeline!.admin.call('CLIENT', 'LIST', 'TYPE', 'normal')) as string;
      return list.split('\n').filter((c) => / name=tally-ingest /.test(c)).length === 2
        ? true
        : undefined;
    });
    const leftPending = await pendingOfVictim();
    expect(await producer.exited).toBe(0);
    await pipeline.waitUntilCounted(expected);
    expect(await pipeline.differencesFrom(expected)).toEqual([]);
    const claimed = await pipeline.metric(survivor, 'ingest_stream_entries_claimed_total');
    expect(claimed).toBeGreaterThanOrEqual(leftPending);
    report('replica SIGKILL', {
      lines: 150_000,
      pendingWhenFrozen: held,
      pendingAtKill: leftPending,
      claimedBySurvivor: claimed,
    });
  });

  it('counts exactly while every Redis connection is killed again and again', async () => {
    pipeline = await StreamPipeline.start('drops');
    const stream = joinLines(streamLines({ seed: 9, lines: 200_000 }));
    const expected = countStream(stream);
    const file = pipeline.writeFile('drops.jsonl', stream);
    // Small reads and entries: many commits and appends are in flight when connections drop.
    const env = { STREAM_CLAIM_IDLE_MS: CLAIM_IDLE_MS, STREAM_READ_COUNT: '2' };
    await pipeline.startIngest(env);
    await pipeline.startIngest(env);
    const producer = pipeline.startProducer(file, 50_000, { STREAM_ENTRY_LINES: '200' });
    let rounds = 0;
    let killed = 0;
    while (producer.running) {
      rounds++;
      killed += Number(await pipeline.admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes'));
      await holdFaultFor(150 + ((rounds * 37) % 151)); // the fault's rhythm, not a synchronization
    }
    expect(await producer.exited).toBe(0);
    await pipeline.waitUntilCounted(expected);
    expect(await pipeline.differencesFrom(expected)).toEqual([]);
    expect(killed).toBeGreaterThan(10);
    let failures = 0;
    for (const ingest of pipeline.ingests) {
      failures += await pipeline.metric(ingest, 'ingest_commit_failures_total');
    }
    expect(failures).toBeGreaterThan(0);
    report('connection drops', {
      lines: 200_000,
      rounds,
      connectionsKilled: killed,
      failedAttempts: failures,
    });
  });

  it('keeps the stream within STREAM_MAX_LEN when the producer is faster than the consumer, losing nothing', async () => {
    pipeline = await StreamPipeline.start('bound');
    const stream = joinLines(streamLines({ seed: 10, lines: 100_000 }));
    const expected = countStream(stream);
    const file = pipeline.writeFile('bound.jsonl', stream);
    await pipeline.startIngest({ STREAM_READ_COUNT: '1' });
    const producer = pipeline.startProducer(file, 0, {
      STREAM_MAX_LEN: '20',
      STREAM_ENTRY_LINES: '100',
    });
    let maxLength = 0;
    let samples = 0;
    while (producer.running) {
      maxLength = Math.max(maxLength, await pipeline.admin.xlen(pipeline.keys.stream));
      samples++;
      await holdFaultFor(5); // sampling rate
    }
    expect(await producer.exited).toBe(0);
    await pipeline.waitUntilCounted(expected);
    expect(await pipeline.differencesFrom(expected)).toEqual([]);
    expect(maxLength).toBeLessThanOrEqual(20);
    expect(maxLength).toBeGreaterThanOrEqual(15); // the producer really was ahead
    expect(producer.stdout()).toContain('"reason":"full"');
    report('bounded stream', { lines: 100_000, maxLength, samples });
  });
});
