import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { BatchAggregator, commitBatch, keyLayout, type KeyLayout } from '@tally/aggregation';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import { OpenApiContract } from '@tally/testing';
import type { Redis } from 'ioredis';
import { listenOnEphemeralPort, logSink, type RunningHttp } from '../testing/harness';
import { createApp } from './app';
import * as encoding from './body-encoding';
import { OPENAPI_DOCUMENT } from './docs/openapi';
import { SharedReads } from './shared-reads';

const CACHE_MS = 100;
const NOW = Math.floor(Date.now() / 1000);
const contract = new OpenApiContract(OPENAPI_DOCUMENT);

interface RawAnswer {
  readonly status: number;
  /** Header names lower-case, in the order sent, without the per-connection ones. */
  readonly headers: [string, string][];
  readonly body: Buffer;
}

/** One request on a connection of its own, the bytes as sent (fetch would decompress them). */
function raw(url: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const pairs: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i].toLowerCase();
          if (!['date', 'connection', 'keep-alive'].includes(name))
            pairs.push([name, res.rawHeaders[i + 1]]);
        }
        const answer = { status: res.statusCode ?? 0, headers: pairs, body: Buffer.concat(chunks) };
        // These answers bypass fetch, so check them against the description here.
        const problems = contract.problems({
          method,
          url: new URL(url).pathname + new URL(url).search,
          status: answer.status,
          headers: Object.fromEntries(pairs),
          body: method === 'HEAD' || answer.status === 304 ? undefined : decode(answer).toString(),
        });
        if (problems.length > 0) reject(new Error(problems.join('\n')));
        else resolve(answer);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const header = (answer: RawAnswer, name: string) => answer.headers.find(([n]) => n === name)?.[1];

function decode(answer: RawAnswer): Buffer {
  const coding = header(answer, 'content-encoding');
  if (coding === 'gzip') return gunzipSync(answer.body);
  if (coding === 'br') return brotliDecompressSync(answer.body);
  return answer.body;
}

async function commitWords(redis: Redis, keys: KeyLayout, words: string[], second = NOW - 5) {
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

describeWithRedis('conditional and compressed answers', () => {
  const sink = logSink();
  const prefix = uniqueTestPrefix('api-conditional');
  let redis: Redis;
  let api: RunningHttp | undefined;
  /** 3,000 words: a body of ~40 KB, compressed (bodies under 1 KiB never are). */
  const vocabulary = Array.from({ length: 3000 }, (_, i) => `word${i}-${'x'.repeat(i % 7)}`);

  /** A fresh app over a prefix of its own, with a clock the test moves. */
  async function start() {
    const keys = keyLayout(`${prefix}-${randomUUID()}`);
    await commitWords(redis, keys, vocabulary);
    let clockMs = 0;
    let nowSeconds = NOW;
    const reads = new SharedReads({ cacheMs: CACHE_MS, clockMs: () => clockMs });
    const app = createApp({
      redis,
      keys,
      retentionSeconds: 3600,
      logger: sink.logger,
      now: () => nowSeconds,
      sharedReads: reads,
    });
    api = await listenOnEphemeralPort(app.listener);
    const base = api.baseUrl;
    return {
      keys,
      answers: app.answers,
      get: (path: string, headers: Record<string, string> = {}, method = 'GET') =>
        raw(`${base}${path}`, headers, method),
      advanceMs: (ms: number) => (clockMs += ms),
      setNow: (seconds: number) => (nowSeconds = seconds),
    };
  }

  beforeAll(() => {
    redis = createTestRedis();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await api?.close();
    api = undefined;
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it.each([
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['*', 'br'],
    ['identity', undefined],
    ['gzip;q=0', undefined],
    ['', undefined],
  ])(
    'answers Accept-Encoding "%s" with coding %s, decoding to the plain body, the same from express and from the fast path',
    async (accept, coding) => {
      const app = await start();
      const plain = await app.get('/events/countWords', { 'accept-encoding': 'identity' });
      expect(plain.body.length).toBeGreaterThan(encoding.COMPRESS_MIN_BYTES);
      const first = await app.get('/events/countWords', { 'accept-encoding': accept }); // express
      const cachedBefore = app.answers.counts.cached;
      const second = await app.get('/events/countWords', { 'accept-encoding': accept }); // fast path
      expect(app.answers.counts.cached - cachedBefore).toBe(1);
      expect(second.headers).toEqual(first.headers);
      expect(second.body.equals(first.body)).toBe(true);
      expect(first.status).toBe(200);
      expect(header(first, 'content-encoding')).toBe(coding);
      expect(header(first, 'vary')).toBe('Accept-Encoding');
      expect(header(first, 'etag')).toBe(header(plain, 'etag'));
      expect(Number(header(first, 'content-length'))).toBe(first.body.length);
      expect(decode(first).equals(plain.body)).toBe(true);
      // HEAD: the same headers, no body.
      const head = await app.get('/events/countWords', { 'accept-encoding': accept }, 'HEAD');
      expect(head.headers).toEqual(first.headers);
      expect(head.body).toHaveLength(0);
    },
  );

  it('sends Vary and an ETag with small bodies too, never compressed', async () => {
    const app = await start();
    for (const path of ['/events/stats', '/events/countWords?top=3', '/events/malformed']) {
      const answer = await app.get(path, { 'accept-encoding': 'gzip, br' });
      expect(answer.status).toBe(200);
      expect(header(answer, 'content-encoding')).toBeUndefined();
      expect(header(answer, 'vary')).toBe('Accept-Encoding');
      expect(header(answer, 'etag')).toMatch(/^W\/"\d+-.+"$/);
    }
  });

  it('compresses a body once for 8 concurrent requests that accept it', async () => {
    const app = await start();
    await app.get('/events/countWords');
    const compress = jest.spyOn(encoding, 'compressBody');
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => app.get('/events/countWords', { 'accept-encoding': 'gzip' })),
    );
    expect(new Set(answers.map((a) => a.body.toString('base64'))).size).toBe(1);
    expect(compress).toHaveBeenCalledTimes(1);
    expect(compress).toHaveBeenCalledWith(expect.any(Buffer), 'gzip');
  });

  it('keeps the ETag while no batch is applied and changes it with the next batch', async () => {
    const app = await start();
    const before = await app.get('/events/countWords');
    app.advanceMs(CACHE_MS * 5); // revalidated, not rebuilt: no batch since
    const same = await app.get('/events/countWords');
    expect(header(same, 'etag')).toBe(header(before, 'etag'));
    expect(app.answers.counts.revalidated).toBe(1);
    await commitWords(redis, app.keys, ['brand-new']);
    app.advanceMs(CACHE_MS);
    const after = await app.get('/events/countWords');
    expect(header(after, 'etag')).not.toBe(header(before, 'etag'));
    expect(after.body.toString()).toContain('"brand-new":1');
  });

  it('answers a matching If-None-Match with a 304 without a body, GET and HEAD alike', async () => {
    const app = await start();
    const first = await app.get('/events/countWords');
    const etag = header(first, 'etag') ?? '';
    const forms = [etag, etag.slice(2), `"other", ${etag}`, '*'];
    for (const method of ['GET', 'HEAD']) {
      for (const tag of forms) {
        const answer = await app.get(
          '/events/countWords',
          { 'if-none-match': tag, 'accept-encoding': 'gzip' },
          method,
        );
        expect(answer.status).toBe(304);
        expect(answer.body).toHaveLength(0);
        expect(answer.headers).toEqual([
          ['etag', etag],
          ['vary', 'Accept-Encoding'],
        ]);
      }
    }
    const other = await app.get('/events/countWords', { 'if-none-match': 'W/"0-other"' });
    expect(other.status).toBe(200);
    // After a batch the old tag no longer holds.
    await commitWords(redis, app.keys, ['later']);
    app.advanceMs(CACHE_MS);
    const changed = await app.get('/events/countWords', { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.body.toString()).toContain('"later":1');
  });

  it('gives a window a new ETag each second, and the same one within it', async () => {
    const app = await start();
    const path = '/events/countWords?window=60';
    const first = await app.get(path);
    expect(header(first, 'etag')).toContain(`@${NOW}"`);
    expect((await app.get(path, { 'if-none-match': header(first, 'etag') ?? '' })).status).toBe(
      304,
    );
    app.setNow(NOW + 1);
    const next = await app.get(path, { 'if-none-match': header(first, 'etag') ?? '' });
    expect(next.status).toBe(200);
    expect(header(next, 'etag')).toContain(`@${NOW + 1}"`);
    expect(next.body.equals(first.body)).toBe(true); // the same counts, a different second
  });
});

describeWithRedis('no answer older than READ_CACHE_MS, by the real clock', () => {
  it('serves the new counts to every request sent READ_CACHE_MS or more after a batch', async () => {
    const prefix = uniqueTestPrefix('api-conditional-clock');
    const keys = keyLayout(prefix);
    const redis = createTestRedis();
    const reads = new SharedReads({ cacheMs: CACHE_MS });
    const sink = logSink();
    const api = await listenOnEphemeralPort(
      createApp({ redis, keys, retentionSeconds: 3600, logger: sink.logger, sharedReads: reads })
        .listener,
    );
    try {
      await commitWords(redis, keys, ['old']);
      expect((await raw(`${api.baseUrl}/events/countWords`)).body.toString()).toBe('{"old":1}');
      await commitWords(redis, keys, ['new', 'new']);
      const committedAt = performance.now();
      let late = 0;
      // Poll for up to 3 × READ_CACHE_MS: early answers may be either, late ones must be new.
      while (performance.now() - committedAt < 3 * CACHE_MS) {
        const sentAt = performance.now();
        const text = (await raw(`${api.baseUrl}/events/countWords`)).body.toString();
        if (sentAt - committedAt >= CACHE_MS) {
          late++;
          expect(text).toBe('{"new":2,"old":1}');
        }
      }
      expect(late).toBeGreaterThan(0);
    } finally {
      await api.close();
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    }
  });
});
