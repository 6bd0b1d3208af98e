import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { BatchAggregator, commitBatch, keyLayout } from '@tally/aggregation';
import {
  createTestRedis,
  type OwnRedisServer,
  startOwnRedisServer,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import type { Redis } from 'ioredis';
import { listenOnEphemeralPort, logSink, request, type RunningHttp } from '../testing/harness';
import { createApp, READ_DEADLINE_MS } from './app';
import { createRedisClient } from './redis-client';
import { MAX_READS_IN_FLIGHT, SharedReads } from './shared-reads';
import { eventually } from '@tally/testing';

/** Calls of `command` Redis has executed so far (INFO commandstats): the reads really sent. */
async function executed(admin: Redis, command: string): Promise<number> {
  const info = await admin.info('commandstats');
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+),`, 'm').exec(info);
  return match ? Number(match[1]) : 0;
}

/**
 * A Redis that takes seconds to answer: a redis-server of the test's own under
 * `CLIENT PAUSE <ms> ALL`, which holds every command (PINGs too) and then runs them in order,
 * as a long script or a huge ZUNION would. What it executed afterwards is what the api sent.
 */
describe('a read Redis is slow to answer', () => {
  let server: OwnRedisServer;
  let admin: Redis;
  let client: Redis;
  let api: RunningHttp;
  let reads: SharedReads;
  const keys = keyLayout(uniqueTestPrefix('api-slow-reads'));

  beforeAll(async () => {
    server = await startOwnRedisServer();
    admin = createTestRedis(server.url);
    client = createRedisClient(server.url, logSink().logger);
    reads = new SharedReads({ cacheMs: 100 });
    api = await listenOnEphemeralPort(
      createApp({
        redis: client,
        keys,
        retentionSeconds: 3600,
        logger: logSink().logger,
        sharedReads: reads,
      }).listener,
    );
    const batch = new BatchAggregator();
    batch.addEvent('slow', Math.floor(Date.now() / 1000));
    batch.addWord('slow');
    await commitBatch(
      admin,
      keys,
      batch.take(),
      { ingestId: randomUUID(), seq: 1 },
      {
        retentionSeconds: 3600,
      },
    );
    if (client.status !== 'ready') await once(client, 'ready');
  });
  afterAll(async () => {
    await api.close();
    client.disconnect();
    admin.disconnect();
    await server.dispose();
  });

  it('is sent once while Redis holds it, however often it is asked, and each request gets a 503 in time', async () => {
    const before = await executed(admin, 'zrange');
    const pauseMs = 4000;
    await admin.client('PAUSE', pauseMs, 'ALL');
    const pausedAt = Date.now();
    // A client asking every 100 ms, for as long as every answer is due before the pause ends.
    // Before, each request after a timeout sent the read again, and once the pause ended
    // Redis ran every copy (3 here): a slow read polled often kept Redis saturated.
    const pending: Promise<{ status: number; text: string; elapsedMs: number }>[] = [];
    while (Date.now() - pausedAt < pauseMs - READ_DEADLINE_MS - 500) {
      pending.push(request(`${api.baseUrl}/events/countWords`));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const answers = await Promise.all(pending);
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.text).error).toMatch(/^redis unavailable: /);
      expect(answer.elapsedMs).toBeLessThan(2000);
    }
    // The read ends once Redis has run it (and answered the PING sent after it).
    await eventually('the held read to end in Redis', () => reads.readsInFlight === 0, {
      everyMs: 10,
    });
    expect(await executed(admin, 'zrange')).toBe(before + 1);
    const after = await request(`${api.baseUrl}/events/countWords`);
    expect(after.status).toBe(200);
    expect(after.text).toBe('{"slow":1}');
    expect(await executed(admin, 'zrange')).toBe(before + 2);
    expect(answers.length).toBeGreaterThanOrEqual(15);
  });

  it(`refuses a ${MAX_READS_IN_FLIGHT + 1}th different read with a 503 while ${MAX_READS_IN_FLIGHT} are held, and serves again after`, async () => {
    await admin.client('PAUSE', 2000, 'ALL');
    const held = Array.from({ length: MAX_READS_IN_FLIGHT }, (_, i) =>
      request(`${api.baseUrl}/events/countWords?top=${i + 1}`),
    );
    await eventually(
      'every read to be in flight',
      () => reads.readsInFlight === MAX_READS_IN_FLIGHT,
      { everyMs: 10 },
    );
    const refused = await request(
      `${api.baseUrl}/events/countWords?top=${MAX_READS_IN_FLIGHT + 1}`,
    );
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(JSON.parse(refused.text)).toEqual({
      error: `busy: ${MAX_READS_IN_FLIGHT} different reads are waiting for Redis, the most allowed`,
    });
    expect(refused.elapsedMs).toBeLessThan(500);
    for (const answer of await Promise.all(held)) {
      expect(answer.status).toBe(503);
      expect(answer.elapsedMs).toBeLessThanOrEqual(READ_DEADLINE_MS + 500);
    }
    await eventually('the held reads to end in Redis', () => reads.readsInFlight === 0, {
      everyMs: 10,
    });
    const again = await request(`${api.baseUrl}/events/countWords?top=${MAX_READS_IN_FLIGHT + 1}`);
    expect(again.status).toBe(200);
  });
});
