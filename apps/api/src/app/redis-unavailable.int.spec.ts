import { once } from 'node:events';
import { keyLayout } from '@tally/aggregation';
import type { Redis } from 'ioredis';
import {
  closedPort,
  listenOnEphemeralPort,
  logSink,
  request,
  handshakeReply,
  scriptedRespServer,
  type Running,
  type RunningHttp,
} from '../testing/harness';
import { createApp } from './app';
import { createRedisClient } from './redis-client';

/** SPEC §4: "Redis unreachable → 503 … within 2 seconds". A contract bound, not a speed target. */
const CONTRACT_MS = 2000;
const JSON_TYPE = 'application/json; charset=utf-8';

/** Resolves after the client's `n`-th next 'reconnecting' event. */
function reconnects(redis: Redis, n: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const onReconnecting = () => {
      if (++seen < n) return;
      redis.off('reconnecting', onReconnecting);
      resolve();
    };
    redis.on('reconnecting', onReconnecting);
  });
}

/** The app wired as main.ts does, against `redisUrl`. */
async function startApi(redisUrl: string) {
  const sink = logSink();
  const redis = createRedisClient(redisUrl, sink.logger.child({ component: 'redis' }));
  const api = await listenOnEphemeralPort(
    createApp({
      redis,
      keys: keyLayout('test-api-unavailable'),
      retentionSeconds: 3600,
      logger: sink.logger.child({ component: 'http' }),
    }).listener,
  );
  return { sink, redis, api };
}

/** Asks every Redis-backed endpoint at once; each answer must be a JSON 503 within the bound. */
async function expectUnavailable(api: RunningHttp): Promise<void> {
  const paths = ['/events/countWords', '/events/countByEventType?top=5&window=60', '/events/stats'];
  const [health, ...answers] = await Promise.all(
    ['/health', ...paths].map((path) => request(`${api.baseUrl}${path}`)),
  );
  answers.forEach((answer, i) => {
    expect({ path: paths[i], status: answer.status }).toEqual({ path: paths[i], status: 503 });
    expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
    expect(JSON.parse(answer.text)).toEqual({
      error: expect.stringMatching(/^redis unavailable: \S/),
    });
    expect(answer.elapsedMs).toBeLessThan(CONTRACT_MS);
  });
  expect(health.status).toBe(503);
  expect(health.headers.get('content-type')).toBe(JSON_TYPE);
  expect(JSON.parse(health.text)).toEqual({
    status: 'unavailable',
    error: expect.stringMatching(/^redis unavailable: \S/),
  });
  expect(health.elapsedMs).toBeLessThan(CONTRACT_MS);
}

describe('api when Redis refuses connections (closed port)', () => {
  let started: Awaited<ReturnType<typeof startApi>>;

  beforeAll(async () => {
    started = await startApi(`redis://127.0.0.1:${await closedPort()}`);
  });
  afterAll(async () => {
    await started.api.close();
    started.redis.disconnect();
  });

  it('answers 503 in JSON within 2 s on every Redis-backed endpoint', async () => {
    await expectUnavailable(started.api);
  });

  it('still answers 400 for an invalid parameter, without asking Redis', async () => {
    const answer = await request(`${started.api.baseUrl}/events/countWords?top=0`);
    expect(answer.status).toBe(400);
  });

  it('still answers /metrics', async () => {
    const answer = await request(`${started.api.baseUrl}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('status="503"');
  });

  it('logs the outage once, not once per reconnect attempt', async () => {
    await reconnects(started.redis, 3);
    const errors = started.sink.lines().filter((line) => line['event'] === 'redis_error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      level: 40,
      component: 'redis',
      err: { code: 'ECONNREFUSED' },
    });
  });
});

describe('api when Redis accepts connections and never answers', () => {
  let silent: Running;
  let started: Awaited<ReturnType<typeof startApi>>;

  beforeAll(async () => {
    silent = await scriptedRespServer(() => undefined);
    started = await startApi(`redis://127.0.0.1:${silent.port}`);
    if (started.redis.status !== 'connect') await once(started.redis, 'connect');
  });
  afterAll(async () => {
    await started.api.close();
    started.redis.disconnect();
    await silent.close();
  });

  it('answers 503 in JSON within 2 s on every Redis-backed endpoint', async () => {
    await expectUnavailable(started.api);
  });
});

describe('api when Redis completes the handshake and then stops answering', () => {
  /** Commands the silent server received, by name: the reads the api really sent. */
  const received = new Map<string, number>();
  let stalled: Running;
  let started: Awaited<ReturnType<typeof startApi>>;

  beforeAll(async () => {
    // Answers the client's handshake so the client is "ready", then swallows every command
    // (PING included): what a paused Redis looks like.
    stalled = await scriptedRespServer((command) => {
      const name = command[0].toUpperCase();
      received.set(name, (received.get(name) ?? 0) + 1);
      return name === 'PING' ? undefined : handshakeReply(command);
    });
    started = await startApi(`redis://127.0.0.1:${stalled.port}`);
    if (started.redis.status !== 'ready') await once(started.redis, 'ready');
  });
  afterAll(async () => {
    await started.api.close();
    started.redis.disconnect();
    await stalled.close();
  });

  it('answers 503 in JSON within 2 s, on the command timeout, then on its deadline without sending the read again', async () => {
    await expectUnavailable(started.api);
    expect(received.get('HMGET')).toBe(1);
    // The timed-out read may still be running in Redis: it is not sent beside itself, and
    // the request waits for it until its own deadline.
    const answer = await request(`${started.api.baseUrl}/events/stats`);
    expect(JSON.parse(answer.text)).toEqual({
      error: 'redis unavailable: no answer within 1500 ms',
    });
    expect(answer.elapsedMs).toBeLessThan(CONTRACT_MS);
    expect(received.get('HMGET')).toBe(1);
  });
});

describe('api when Redis goes away and comes back', () => {
  let server: Running;
  let started: Awaited<ReturnType<typeof startApi>>;

  beforeAll(async () => {
    server = await scriptedRespServer(handshakeReply);
    started = await startApi(`redis://127.0.0.1:${server.port}`);
    if (started.redis.status !== 'ready') await once(started.redis, 'ready');
  });
  afterAll(async () => {
    await started.api.close();
    started.redis.disconnect();
    await server.close();
  });

  it('answers 503 during the outage and 200 again once reconnected, by itself', async () => {
    const health = () => request(`${started.api.baseUrl}/health`);
    expect((await health()).text).toBe('{"status":"ok"}');

    const lost = once(started.redis, 'reconnecting');
    await server.close();
    await lost;
    const during = await health();
    expect(during.status).toBe(503);
    expect(during.elapsedMs).toBeLessThan(CONTRACT_MS);

    const back = once(started.redis, 'ready');
    server = await scriptedRespServer(handshakeReply, server.port);
    await back;
    expect((await health()).text).toBe('{"status":"ok"}');

    const events = started.sink
      .lines()
      .filter((line) => line['component'] === 'redis')
      .map((line) => [line['event'], line['msg']]);
    expect(events[0]).toEqual(['redis_ready', 'connected to Redis']);
    expect(events.at(-1)).toEqual(['redis_ready', 'Redis is reachable again']);
    // one line when the connection was lost, none per reconnect attempt
    expect(events.slice(1, -1)).toHaveLength(1);
    expect(events.slice(1, -1)[0][0]).toMatch(/^redis_(closed|error)$/);
  });
});
