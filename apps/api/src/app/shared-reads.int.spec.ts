import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { BatchAggregator, commitBatch, keyLayout, type KeyLayout } from '@tally/aggregation';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  startOwnRedisServer,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import type { Redis } from 'ioredis';
import { listenOnEphemeralPort, logSink, request, type RunningHttp } from '../testing/harness';
import { createApp } from './app';
import { createRedisClient } from './redis-client';
import { SharedReads } from './shared-reads';
import { eventually } from '@tally/testing';

/** The client methods through which `readCounts`/`readStats` send their commands. */
const READ_METHODS = new Set(['zrangeBuffer', 'hmget', 'callBuffer', 'tallyReadTopBuffer']);
const CACHE_MS = 100;
const NOW = Math.floor(Date.now() / 1000);

/** … and the one through which `readGeneration` sends its `GET`. */
const GENERATION_METHOD = 'get';

/**
 * The real client, with each read command counted (`sent`; the generation's GETs apart, in
 * `generationReads`) and, while `hold()` is on, held back before it is sent: so a test can
 * line requests up behind one read. Redis itself is real.
 */
function countingRedis(redis: Redis) {
  const sent: string[] = [];
  const generationReads: string[] = [];
  let gate: Promise<void> | undefined;
  let open: () => void = () => undefined;
  const proxy = new Proxy(redis, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof property !== 'string' || typeof value !== 'function') return value;
      const counted = READ_METHODS.has(property)
        ? sent
        : property === GENERATION_METHOD
          ? generationReads
          : undefined;
      if (counted === undefined) return value;
      return async (...args: unknown[]) => {
        counted.push(property);
        if (gate) await gate;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    redis: proxy,
    sent,
    generationReads,
    hold: () => {
      gate = new Promise((resolve) => (open = resolve));
    },
    release: () => {
      gate = undefined;
      open();
    },
  };
}

async function writeWords(redis: Redis, keys: KeyLayout, words: string[], second = NOW - 5) {
  const batch = new BatchAggregator();
  batch.addEvent('foo', second);
  for (const word of words) batch.addWord(word);
  await commitBatch(
    redis,
    keys,
    batch.take(),
    { ingestId: randomUUID(), seq: 1 },
    { retentionSeconds: 3600 },
  );
}

describeWithRedis('identical requests share one Redis read', () => {
  const sink = logSink();
  const prefix = uniqueTestPrefix('api-shared');
  const keys = keyLayout(prefix);
  let redis: Redis;
  let api: RunningHttp | undefined;

  /** A fresh app over `keys` with a counting client and a clock the test moves. */
  async function start(appKeys = keys) {
    const counting = countingRedis(redis);
    let clockMs = 0;
    let nowSeconds = NOW;
    const reads = new SharedReads({ cacheMs: CACHE_MS, clockMs: () => clockMs });
    const app = createApp({
      redis: counting.redis,
      keys: appKeys,
      retentionSeconds: 3600,
      logger: sink.logger,
      now: () => nowSeconds,
      sharedReads: reads,
    });
    api = await listenOnEphemeralPort(app.listener);
    const base = api.baseUrl;
    return {
      ...counting,
      reads,
      answers: app.answers,
      get: (path: string) => request(`${base}${path}`),
      advanceMs: (ms: number) => {
        clockMs += ms;
      },
      setNow: (seconds: number) => {
        nowSeconds = seconds;
      },
    };
  }

  beforeAll(async () => {
    redis = createTestRedis();
    await writeWords(redis, keys, ['lorem', 'lorem', 'ipsum']);
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it.each([
    ['/events/countWords'],
    ['/events/countWords?top=1'],
    ['/events/countByEventType?window=60'],
    ['/events/countWords?window=60&top=1'],
    ['/events/stats'],
  ])('sends one read for 8 concurrent GET %s and gives all 8 its answer', async (path) => {
    const app = await start();
    app.hold();
    const answers = Array.from({ length: 8 }, () => app.get(path));
    await eventually('7 requests to join the first', () => app.reads.counts.shared === 7, {
      everyMs: 5,
    });
    app.release();
    const done = await Promise.all(answers);
    expect(app.sent).toHaveLength(1);
    expect(new Set(done.map((a) => `${a.status} ${a.text}`)).size).toBe(1);
    expect(done[0].status).toBe(200);
  });

  it('answers from the micro-cache until CACHE_MS after the read was sent, then reads again', async () => {
    const otherPrefix = uniqueTestPrefix('api-shared-cache');
    const otherKeys = keyLayout(otherPrefix);
    try {
      await writeWords(redis, otherKeys, ['old']);
      const app = await start(otherKeys);
      expect((await app.get('/events/countWords')).text).toBe('{"old":1}');
      await writeWords(redis, otherKeys, ['new', 'new']);
      app.advanceMs(CACHE_MS - 1);
      expect((await app.get('/events/countWords')).text).toBe('{"old":1}');
      expect(app.sent).toHaveLength(1);
      app.advanceMs(1);
      expect((await app.get('/events/countWords')).text).toBe('{"new":2,"old":1}');
      expect(app.sent).toHaveLength(2);
      expect(app.answers.counts).toMatchObject({ redis: 2, shared: 0, cached: 1, revalidated: 0 });
      const metrics = (await app.get('/metrics')).text;
      expect(metrics).toContain('api_read_answers_total{source="redis"} 2');
      expect(metrics).toContain('api_read_answers_total{source="cached"} 1');
    } finally {
      await deleteKeysWithPrefix(redis, otherPrefix);
    }
  });

  it('reuses the body after CACHE_MS once one GET of the generation finds no batch applied', async () => {
    const app = await start();
    const first = await app.get('/events/countWords');
    expect(app.sent).toHaveLength(1);
    expect(app.generationReads).toHaveLength(1); // sent just before the read, with it
    app.advanceMs(CACHE_MS);
    const again = await app.get('/events/countWords');
    expect(again.text).toBe(first.text);
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(app.sent).toHaveLength(1);
    expect(app.generationReads).toHaveLength(2);
    // That generation now vouches for every kept body until CACHE_MS after it was read…
    app.advanceMs(CACHE_MS / 2 - 1);
    await app.get('/events/countWords');
    expect(app.generationReads).toHaveLength(2);
    // … and a request in its second half has it read again, early, while answered at once.
    app.advanceMs(CACHE_MS / 2);
    await app.get('/events/countWords');
    await eventually('the early generation read', () => app.generationReads.length === 3);
    app.advanceMs(CACHE_MS / 2);
    await app.get('/events/countWords');
    expect(app.generationReads).toHaveLength(3);
    expect(app.answers.counts).toMatchObject({ redis: 1, cached: 3, revalidated: 1 });
  });

  it('revalidates a body once for 8 concurrent requests, and every kept body with one GET', async () => {
    const app = await start();
    await app.get('/events/countWords');
    await app.get('/events/stats');
    app.advanceMs(CACHE_MS);
    app.hold();
    const answers = Array.from({ length: 8 }, () => app.get('/events/countWords'));
    await eventually('7 requests to join the first', () => app.reads.counts.shared === 7, {
      everyMs: 5,
    });
    app.release();
    await Promise.all(answers);
    expect((await app.get('/events/stats')).status).toBe(200);
    expect(app.sent).toHaveLength(2); // the two builds, nothing since
    expect(app.generationReads).toHaveLength(3); // two builds' and one revalidation
    expect(app.answers.counts).toMatchObject({ redis: 2, shared: 7, revalidated: 1, cached: 1 });
  });

  it('gives different queries reads of their own, also the same window at another second', async () => {
    const app = await start();
    app.hold();
    const paths = [
      '/events/countWords',
      '/events/countWords?top=1',
      '/events/countWords?top=2',
      '/events/countByEventType',
      '/events/countWords?window=60',
      '/events/countWords?window=61',
      '/events/countWords?window=60&top=1',
      '/events/stats',
    ];
    const answers = paths.map((path) => app.get(path));
    await eventually(
      'every query to start its read',
      () => app.reads.counts.redis === paths.length,
      { everyMs: 5 },
    );
    app.setNow(NOW + 1);
    answers.push(app.get('/events/countWords?window=60'));
    await eventually('the next second to read', () => app.reads.counts.redis === paths.length + 1, {
      everyMs: 5,
    });
    app.release();
    const texts = (await Promise.all(answers)).map((a) => a.text);
    expect(app.sent).toHaveLength(paths.length + 1);
    expect(app.reads.counts.shared).toBe(0);
    expect(texts.slice(0, 4)).toEqual([
      '{"lorem":2,"ipsum":1}',
      '{"lorem":2}',
      '{"lorem":2,"ipsum":1}',
      '{"foo":1}',
    ]);
  });

  it('shares a failed read with the requests waiting for it only, never caching it', async () => {
    const brokenPrefix = uniqueTestPrefix('api-shared-broken');
    const brokenKeys = keyLayout(brokenPrefix);
    try {
      await redis.set(brokenKeys.rank.words, 'not a sorted set'); // WRONGTYPE: a real Redis error
      const app = await start(brokenKeys);
      app.hold();
      const answers = [1, 2, 3].map(() => app.get('/events/countWords'));
      await eventually('2 requests to join the first', () => app.reads.counts.shared === 2, {
        everyMs: 5,
      });
      app.release();
      for (const answer of await Promise.all(answers)) {
        expect(answer.status).toBe(500);
        expect(answer.text).toBe('{"error":"internal error"}');
      }
      expect(app.sent).toHaveLength(1);
      // Fixed at once; the clock has not moved, so a cached failure would still be "fresh".
      await redis.del(brokenKeys.rank.words);
      await writeWords(redis, brokenKeys, ['fixed']);
      const after = await app.get('/events/countWords');
      expect(after.status).toBe(200);
      expect(after.text).toBe('{"fixed":1}');
      expect(app.sent).toHaveLength(2);
    } finally {
      await deleteKeysWithPrefix(redis, brokenPrefix);
    }
  });
});

describe('a 503 while Redis is down is not served once it is back', () => {
  it('reads again at once after the outage, even within READ_CACHE_MS', async () => {
    const server = await startOwnRedisServer();
    const sink = logSink();
    const client = createRedisClient(server.url, sink.logger);
    const writer = createTestRedis(server.url);
    const reads = new SharedReads({ cacheMs: 1000, clockMs: () => 0 }); // time stands still
    const keys = keyLayout(uniqueTestPrefix('api-shared-outage'));
    const api = await listenOnEphemeralPort(
      createApp({
        redis: client,
        keys,
        retentionSeconds: 3600,
        logger: sink.logger,
        sharedReads: reads,
      }).listener,
    );
    try {
      if (client.status !== 'ready') await once(client, 'ready');
      await server.stop();
      const down = await request(`${api.baseUrl}/events/countWords`);
      expect(down.status).toBe(503);
      await server.start();
      // Polled, not once(client, 'ready'): that rejects on the 'error' of a reconnect attempt
      // made before the restarted server listens (ECONNREFUSED), which a busy machine allows.
      await eventually('the api client to reconnect', () => client.status === 'ready');
      // The writer reconnects on its own schedule (it may not even have seen the restart yet):
      // a write during its backoff would be refused, so wait until it answers.
      await eventually('the writer to reach the restarted Redis', async () =>
        (await writer.ping()) === 'PONG' ? true : undefined,
      );
      await writeWords(writer, keys, ['back']);
      const up = await request(`${api.baseUrl}/events/countWords`);
      expect(up.status).toBe(200);
      expect(up.text).toBe('{"back":1}');
    } finally {
      await api.close();
      client.disconnect();
      writer.disconnect();
      await server.dispose();
    }
  });
});
