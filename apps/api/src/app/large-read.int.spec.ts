import { once } from 'node:events';
import { keyLayout } from '@tally/aggregation';
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

/** SPEC §4: a 503 within 2 seconds, never a hung request. */
const CONTRACT_MS = 2000;
const WORDS = 1_000_000;

/**
 * A full word list of 1,000,000 words, on a redis-server of the test's own (the shared one is
 * left alone): the read takes longer than the deadline on a 2-core machine (Redis sends ~15 MB
 * and ioredis parses ~2 million reply strings), so most answers are 503s, each in time (the
 * api README, "A 1,000,000-word vocabulary"); one that finishes within the command timeout is
 * kept and served. The rank set is written directly (the key of the layout, one ZADD per 10,000
 * words): the ingest's path would take ~25 s for this many words.
 */
/**
 * Opt-in (`LARGE_READS=1`): it takes ~20 s and ~1 GB on 2 cores, too much for every CI run.
 * `npm run bench:api` with VOCABULARY=1000000 measures the same read (tools/bench/README.md).
 */
const largeReads = process.env['LARGE_READS'] === '1';
if (!largeReads) {
  process.stderr.write('SKIPPED "a full read of 1,000,000 words": set LARGE_READS=1 to run it\n');
}

(largeReads ? describe : describe.skip)('a full read of 1,000,000 words', () => {
  let server: OwnRedisServer;
  let admin: Redis;
  let client: Redis;
  let api: RunningHttp;
  const keys = keyLayout(uniqueTestPrefix('api-large-read'));

  beforeAll(async () => {
    server = await startOwnRedisServer();
    admin = createTestRedis(server.url);
    for (let from = 0; from < WORDS; from += 10_000) {
      const args: (string | number)[] = [];
      for (let i = from; i < from + 10_000; i++) args.push((i % 97) + 1, `word${i}`);
      await admin.zadd(keys.rank.words, ...args);
    }
    client = createRedisClient(server.url, logSink().logger);
    if (client.status !== 'ready') await once(client, 'ready');
    const app = createApp({
      redis: client,
      keys,
      retentionSeconds: 3600,
      logger: logSink().logger,
    });
    api = await listenOnEphemeralPort(app.listener);
  }, 60_000);
  afterAll(async () => {
    await api.close();
    client.disconnect();
    admin.disconnect();
    await server.dispose();
  });

  it('answers every request within 2 s, the list or a 503 in JSON, and goes on answering', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const answer = await request(`${api.baseUrl}/events/countWords`);
      expect(answer.elapsedMs).toBeLessThan(CONTRACT_MS);
      statuses.push(answer.status);
      if (answer.status === 200) {
        expect(answer.text).toMatch(/^\{"word\d+":97,"word\d+":97,/);
        expect(answer.text.match(/,/g)).toHaveLength(WORDS - 1);
      } else {
        expect(answer.status).toBe(503);
        // The command timeout (1 s) or the request's deadline, whichever comes first.
        expect(JSON.parse(answer.text)).toEqual({
          error: expect.stringMatching(
            new RegExp(
              `^redis unavailable: (command timed out|no answer within ${READ_DEADLINE_MS} ms)$`,
            ),
          ),
        });
      }
      const health = await request(`${api.baseUrl}/health`);
      expect(health.elapsedMs).toBeLessThan(CONTRACT_MS);
    }
    expect(statuses).toHaveLength(8);
  }, 90_000);
});
