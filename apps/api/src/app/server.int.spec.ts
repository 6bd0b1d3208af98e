import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { once } from 'node:events';
import { BatchAggregator, commitBatch, keyLayout } from '@tally/aggregation';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import { rawRequest } from '@tally/http-server/testing';
import type { Redis } from 'ioredis';
import { listenOnEphemeralPort, logSink, type RunningHttp } from '../testing/harness';
import { createApp } from './app';
import { SharedReads } from './shared-reads';
import { apiServerLimits } from './server';

const JSON_TYPE = 'application/json; charset=utf-8';
const NOW = Math.floor(Date.now() / 1000);
const STATS = '{"events":2,"malformedLines":1}';

describeWithRedis('the api server, whatever a client sends', () => {
  const prefix = uniqueTestPrefix('api-server');
  const keys = keyLayout(prefix);
  const sink = logSink();
  let redis: Redis;
  let api: RunningHttp;
  const app = () =>
    createApp({
      redis,
      keys,
      retentionSeconds: 3600,
      logger: sink.logger,
      sharedReads: new SharedReads({ cacheMs: 0 }),
      liveTickMs: 50,
    }).listener;

  beforeAll(async () => {
    redis = createTestRedis();
    const batch = new BatchAggregator();
    batch.addEvent('foo', NOW - 5);
    batch.addEvent('foo', NOW - 5);
    batch.addWord('lorem');
    batch.addMalformed(1);
    await commitBatch(
      redis,
      keys,
      batch.take(),
      { ingestId: randomUUID(), seq: 1 },
      {
        retentionSeconds: 3600,
      },
    );
    api = await listenOnEphemeralPort(app());
  });
  afterAll(async () => {
    await api.close();
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  const line = (requestLine: string, headers = 'Host: x\r\n') =>
    `${requestLine}\r\n${headers}Connection: close\r\n\r\n`;

  it.each([
    ['GET http://[ HTTP/1.1', 400, undefined],
    ['GET http://x:99999/events/stats HTTP/1.1', 400, undefined],
    ['GET * HTTP/1.1', 400, undefined],
    ['OPTIONS * HTTP/1.1', 400, undefined],
    ['GET //x:99999/ HTTP/1.1', 404, '{"error":"not found: GET //x:99999/"}'],
    ['GET /% HTTP/1.1', 404, '{"error":"not found: GET /%"}'],
    ['GET /events/%E0%A4%A HTTP/1.1', 404, '{"error":"not found: GET /events/%E0%A4%A"}'],
    ['GET /%00 HTTP/1.1', 404, '{"error":"not found: GET /%00"}'],
    ['GET /events/stats?top=%E0 HTTP/1.1', 200, STATS],
    ['GET http://host/events/stats HTTP/1.1', 200, STATS],
    ['GET HTTP://host:5000/events/stats/?x=1 HTTP/1.1', 200, STATS],
    ['OPTIONS /events/stats HTTP/1.1', 405, undefined],
    ['DELETE /events/stats HTTP/1.1', 405, undefined],
  ])('answers "%s" with %i in JSON', async (requestLine, status, body) => {
    const { answers } = await rawRequest(api.port, line(requestLine));
    expect(answers).toHaveLength(1);
    expect(answers[0].status).toBe(status);
    expect(answers[0].headers.get('content-type')).toBe(JSON_TYPE);
    if (body !== undefined) expect(answers[0].body).toBe(body);
    else expect(JSON.parse(answers[0].body)).toEqual({ error: expect.any(String) });
    if (status === 405) expect(answers[0].headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers HTTP/1.0 without Host, and a GET with a body, as usual', async () => {
    const old = await rawRequest(api.port, 'GET /events/stats HTTP/1.0\r\n\r\n');
    expect(old.answers[0]).toMatchObject({ status: 200, body: STATS });
    const withBody = await rawRequest(
      api.port,
      line('GET /events/stats HTTP/1.1', 'Host: x\r\nContent-Length: 5\r\n') + 'hello',
    );
    expect(withBody.answers[0]).toMatchObject({ status: 200, body: STATS });
  });

  it('answers in JSON even where express would have sent its HTML page (no guarded server)', async () => {
    // The listener alone, on a plain node server: a target express's router cannot parse.
    const plain = createServer(app());
    plain.listen(0, '127.0.0.1');
    await once(plain, 'listening');
    try {
      const { port } = plain.address() as AddressInfo;
      const { answers } = await rawRequest(port, line('GET http://[ HTTP/1.1'));
      expect(answers[0].status).toBe(400);
      expect(answers[0].headers.get('content-type')).toBe(JSON_TYPE);
      expect(JSON.parse(answers[0].body)).toEqual({ error: expect.stringMatching(/target/) });
    } finally {
      plain.closeAllConnections();
      plain.close();
    }
  });

  it('never cuts a live stream with its request timeouts, while a slow sender gets 408', async () => {
    const limits = {
      ...apiServerLimits(10),
      headersTimeoutMs: 200,
      requestTimeoutMs: 300,
      timeoutCheckIntervalMs: 50,
    };
    const short = await listenOnEphemeralPort(app(), { limits });
    try {
      const stream = connect(short.port, '127.0.0.1');
      let text = '';
      let closed = false;
      stream.on('data', (d: Buffer) => (text += d.toString()));
      stream.on('close', () => (closed = true));
      stream.write('GET /events/live HTTP/1.1\r\nHost: x\r\n\r\n');
      const slow = rawRequest(short.port, 'GET /events/stats HTTP/1.1\r\nHost: x\r\n', {
        untilClose: true,
      });
      expect((await slow).answers.map((a) => a.status)).toEqual([408]);
      // 1.5 s: five times requestTimeout, with no byte from the client after its request.
      const ticks = () => text.split('event: tick\n').length - 1;
      const started = Date.now();
      while (Date.now() - started < 1500) {
        if (closed) throw new Error(`the stream was cut: ${JSON.stringify(text.slice(-200))}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(closed).toBe(false);
      expect(text).toMatch(/^HTTP\/1\.1 200/);
      expect(ticks()).toBeGreaterThanOrEqual(10);
      stream.destroy();
    } finally {
      await short.close();
    }
  });
});
