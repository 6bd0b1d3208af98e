import { randomUUID } from 'node:crypto';
import { BatchAggregator, commitBatch, keyLayout } from '@tally/aggregation';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import type { Redis } from 'ioredis';
import { logSink, listenOnEphemeralPort, request, type RunningHttp } from '../testing/harness';
import { createApp } from './app';
import { SharedReads } from './shared-reads';

const JSON_TYPE = 'application/json; charset=utf-8';
// A real clock: bucket keys expire by the Redis clock, so their times must be current.
const NOW = Math.floor(Date.now() / 1000);

describeWithRedis('api over a real Redis', () => {
  const prefix = uniqueTestPrefix('api');
  const keys = keyLayout(prefix);
  const sink = logSink();
  let redis: Redis;
  let api: RunningHttp;
  const url = (path: string) => `${api.baseUrl}${path}`;

  beforeAll(async () => {
    redis = createTestRedis();
    const batch = new BatchAggregator();
    const types: [string, number][] = [
      ['foo', 3],
      ['baz', 2],
      ['42', 2],
      ['__proto__', 2],
      ['say "hi"', 1],
      ['back\\slash', 1],
      ['😀', 1],
      ['constructor', 1],
    ];
    // All at NOW - 100 (inside a 3600 s window, outside a 60 s one)...
    for (const [type, n] of types) for (let i = 0; i < n; i++) batch.addEvent(type, NOW - 100);
    for (const word of ['lorem', 'amet', 'lorem', 'ünïcode', '7', 'don’t', 'lorem'])
      batch.addWord(word);
    // ...but one event 10 s ago.
    batch.addEvent('recent', NOW - 10);
    batch.addWord('fresh');
    batch.addMalformed(3);
    await commitBatch(
      redis,
      keys,
      batch.take(),
      { ingestId: randomUUID(), seq: 1 },
      { retentionSeconds: 3600 },
    );
    api = await listenOnEphemeralPort(
      createApp({
        redis,
        keys,
        retentionSeconds: 3600,
        logger: sink.logger,
        now: () => NOW,
      }).listener,
    );
  });

  afterAll(async () => {
    await api.close();
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  describe('GET /events/countByEventType', () => {
    it('lists every event type by descending count, ties by code-unit order, as written', async () => {
      const answer = await request(url('/events/countByEventType'));
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
      expect(answer.text).toBe(
        String.raw`{"foo":3,"42":2,"__proto__":2,"baz":2,"back\\slash":1,"constructor":1,"recent":1,"say \"hi\"":1,"😀":1}`,
      );
    });

    it('returns only the top entries when asked', async () => {
      expect((await request(url('/events/countByEventType?top=3'))).text).toBe(
        '{"foo":3,"42":2,"__proto__":2}',
      );
    });

    it('returns everything when top is larger than the vocabulary', async () => {
      const answer = await request(url('/events/countByEventType?top=10000'));
      expect(Object.keys(JSON.parse(answer.text) as object)).toHaveLength(9);
    });

    it('counts only the events of the window, by the server clock', async () => {
      const answer = await request(url('/events/countByEventType?window=60'));
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
      expect(answer.text).toBe('{"recent":1}');
      expect((await request(url('/events/countWords?window=60'))).text).toBe('{"fresh":1}');
      expect((await request(url('/events/countByEventType?window=3600&top=2'))).text).toBe(
        '{"foo":3,"42":2}',
      );
      expect((await request(url('/events/countByEventType?window=10'))).text).toBe('{}');
    });
  });

  describe('GET /events/countWords', () => {
    it('lists every word by descending count, ties by code-unit order', async () => {
      const answer = await request(url('/events/countWords'));
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
      expect(answer.text).toBe('{"lorem":3,"7":1,"amet":1,"don’t":1,"fresh":1,"ünïcode":1}');
    });

    it('ignores unknown parameters', async () => {
      expect((await request(url('/events/countWords?top=1&limit=0&Top=x&window_=0'))).text).toBe(
        '{"lorem":3}',
      );
    });
  });

  describe('GET /events/stats', () => {
    it('answers the totals since the store was created', async () => {
      const answer = await request(url('/events/stats'));
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
      expect(answer.text).toBe('{"events":14,"malformedLines":3}');
    });
  });

  describe('invalid parameters', () => {
    it.each([
      ['top=0', 'invalid "top" parameter "0": expected an integer from 1 to 10000'],
      ['top=01', 'invalid "top" parameter "01": expected an integer from 1 to 10000'],
      ['top=-1', 'invalid "top" parameter "-1": expected an integer from 1 to 10000'],
      ['top=1e2', 'invalid "top" parameter "1e2": expected an integer from 1 to 10000'],
      ['top=10001', 'invalid "top" parameter "10001": expected an integer from 1 to 10000'],
      ['top=', 'invalid "top" parameter "": expected an integer from 1 to 10000'],
      ['top', 'invalid "top" parameter "": expected an integer from 1 to 10000'],
      ['top=a', 'invalid "top" parameter "a": expected an integer from 1 to 10000'],
      [
        'top=1&top=2',
        'invalid "top" parameter: given 2 times, expected once, an integer from 1 to 10000',
      ],
      [
        'window=0',
        expect.stringMatching(/^invalid "window" parameter "0": .* from 1 to 3600 \(the retention/),
      ],
      [
        'window=3601',
        expect.stringMatching(
          /^invalid "window" parameter "3601": .* from 1 to 3600 \(the retention/,
        ),
      ],
      ['window=', expect.stringMatching(/^invalid "window" parameter "": /)],
      ['window=60&window=60', expect.stringMatching(/^invalid "window" parameter: given 2 times/)],
    ])('answers 400 for ?%s on both count endpoints', async (query, message) => {
      for (const path of ['/events/countByEventType', '/events/countWords']) {
        const answer = await request(url(`${path}?${query}`));
        expect(answer.status).toBe(400);
        expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
        expect(JSON.parse(answer.text)).toEqual({ error: message });
      }
    });
  });

  describe('paths and methods', () => {
    it('accepts one trailing slash', async () => {
      expect((await request(url('/events/stats/'))).text).toBe('{"events":14,"malformedLines":3}');
      expect((await request(url('/events/countWords/?top=1'))).text).toBe('{"lorem":3}');
      expect((await request(url('/health/'))).status).toBe(200);
    });

    it('treats paths as case-sensitive', async () => {
      const answer = await request(url('/Events/stats'));
      expect(answer.status).toBe(404);
      expect(answer.text).toBe('{"error":"not found: GET /Events/stats"}');
    });

    it('answers an unknown path with a 404 in JSON', async () => {
      const answer = await request(url('/x?top=0'));
      expect(answer.status).toBe(404);
      expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
      expect(answer.text).toBe('{"error":"not found: GET /x"}');
    });

    it.each([['POST'], ['PUT'], ['DELETE'], ['PATCH'], ['OPTIONS']])(
      'answers %s on a known path with a 405 and an Allow header',
      async (method) => {
        for (const path of ['/events/stats', '/events/countWords', '/health', '/metrics']) {
          const answer = await request(url(path), { method });
          expect(answer.status).toBe(405);
          expect(answer.headers.get('allow')).toBe('GET, HEAD');
          expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
          expect(JSON.parse(answer.text)).toEqual({
            error: `method not allowed: ${method} ${path}; allowed: GET, HEAD`,
          });
        }
      },
    );

    it('answers HEAD like GET without a body', async () => {
      const answer = await request(url('/events/countByEventType'), { method: 'HEAD' });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
      expect(answer.text).toBe('');
    });

    it('sends no x-powered-by header', async () => {
      expect((await request(url('/health'))).headers.get('x-powered-by')).toBeNull();
    });
  });

  describe('GET /health and GET /metrics', () => {
    it('answers ok when Redis answers PING', async () => {
      const answer = await request(url('/health'));
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
      expect(answer.text).toBe('{"status":"ok"}');
    });

    it('counts requests by matched route, with 404s as "unmatched"', async () => {
      await request(url('/events/stats/'));
      await request(url('/nope/123'));
      await request(url('/events/stats'), { method: 'DELETE' });
      const answer = await request(url('/metrics'));
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(
        /^text\/plain; version=0\.0\.4; charset=utf-8$/,
      );
      expect(answer.text).toContain(
        'http_requests_total{method="GET",route="/events/stats",status="200"}',
      );
      expect(answer.text).toContain(
        'http_requests_total{method="GET",route="unmatched",status="404"}',
      );
      expect(answer.text).toContain(
        'http_requests_total{method="DELETE",route="/events/stats",status="405"}',
      );
      expect(answer.text).toContain(
        'http_request_duration_seconds_bucket{le="0.001",method="GET",route="/events/stats",status="200"}',
      );
      expect(answer.text).toContain('process_cpu_user_seconds_total');
      expect(answer.text).not.toContain('/nope/123');
    });
  });

  describe('unexpected failures', () => {
    const brokenPrefix = uniqueTestPrefix('api-broken');
    const brokenKeys = keyLayout(brokenPrefix);
    let broken: RunningHttp;

    beforeAll(async () => {
      // A count key of the wrong type: not an outage, a state we do not expect.
      await redis.set(brokenKeys.rank.words, 'not a sorted set');
      broken = await listenOnEphemeralPort(
        createApp({ redis, keys: brokenKeys, retentionSeconds: 3600, logger: sink.logger })
          .listener,
      );
    });
    afterAll(async () => {
      await broken.close();
      await deleteKeysWithPrefix(redis, brokenPrefix);
    });

    it('answers 500 "internal error" without details and logs the cause', async () => {
      const answer = await request(`${broken.baseUrl}/events/countWords`);
      expect(answer.status).toBe(500);
      expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
      expect(answer.text).toBe('{"error":"internal error"}');
      const logged = sink.lines().filter((line) => line['msg'] === 'request failed');
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ level: 50, status: 500, path: '/events/countWords' });
      expect(JSON.stringify(logged[0]['err'])).toContain('WRONGTYPE');
    });
  });

  describe('answers from the micro-cache (the fast path before express)', () => {
    const reads = new SharedReads({ cacheMs: 1000, clockMs: () => 0 }); // never expires
    let app: ReturnType<typeof createApp>;
    let cached: RunningHttp;
    beforeAll(async () => {
      app = createApp({
        redis,
        keys,
        retentionSeconds: 3600,
        logger: sink.logger,
        now: () => NOW,
        sharedReads: reads,
      });
      cached = await listenOnEphemeralPort(app.listener);
    });
    afterAll(() => cached.close());

    /** Every header but the ones that differ per connection or per moment. */
    const headersOf = (answer: Awaited<ReturnType<typeof request>>) =>
      [...answer.headers].filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name));

    it.each([
      '/events/countByEventType',
      '/events/countByEventType/',
      '/events/countWords?top=2',
      '/events/countWords/?window=3600&top=1&unknown=x',
      '/events/countByEventType?window=60',
      '/events/stats',
      '/events/stats/',
      '/events/countWords?top=0',
      '/events/countwords',
    ])('answers %s the same from the cache as from Redis, GET and HEAD', async (path) => {
      for (const method of ['GET', 'HEAD']) {
        const first = await request(`${cached.baseUrl}${path}`, { method });
        const before = app.answers.counts.cached;
        const second = await request(`${cached.baseUrl}${path}`, { method });
        expect(second.status).toBe(first.status);
        expect(second.text).toBe(first.text);
        expect(headersOf(second)).toEqual(headersOf(first));
        // The second 200 came from the cache; errors are never cached.
        expect(app.answers.counts.cached - before).toBe(first.status === 200 ? 1 : 0);
      }
    });

    it('labels cached answers with the route, like the answers express gives', async () => {
      await request(`${cached.baseUrl}/events/stats/`);
      await request(`${cached.baseUrl}/events/stats/`);
      const metrics = (await request(`${cached.baseUrl}/metrics`)).text;
      const line = metrics
        .split('\n')
        .find((l) =>
          l.startsWith('http_requests_total{method="GET",route="/events/stats",status="200"}'),
        );
      expect(Number(line?.split(' ')[1])).toBeGreaterThanOrEqual(2);
      expect(metrics).not.toContain('route="/events/stats/"');
    });
  });
});
