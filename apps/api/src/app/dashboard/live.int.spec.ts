import { randomUUID } from 'node:crypto';
import { BatchAggregator, commitBatch, keyLayout } from '@tally/aggregation';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import type { Redis } from 'ioredis';
import {
  closedPort,
  listenOnEphemeralPort,
  logSink,
  request,
  type RunningHttp,
} from '../../testing/harness';
import { createApp } from '../app';
import { API_REDIS_OPTIONS, createRedisClient } from '../redis-client';
import { SharedReads } from '../shared-reads';
import type { LiveHub } from './live-hub';

const TICK_MS = 100;

interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** An EventSource-like reader over fetch: the events received so far, and a way to leave. */
function openStream(url: string) {
  const controller = new AbortController();
  const events: SseEvent[] = [];
  let retry: string | undefined;
  let failure: unknown;
  const done = (async () => {
    const res = await fetch(url, { signal: controller.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let pending = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      pending += value;
      let end: number;
      while ((end = pending.indexOf('\n\n')) >= 0) {
        const block = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const fields = new Map<string, string>();
        for (const line of block.split('\n')) {
          const colon = line.indexOf(': ');
          fields.set(line.slice(0, colon), line.slice(colon + 2));
        }
        if (fields.has('retry')) retry = fields.get('retry');
        if (fields.has('event')) {
          events.push({ event: fields.get('event')!, data: fields.get('data') ?? '' });
        }
      }
    }
  })().catch((error: unknown) => {
    // Aborted by close(), or cut by the server (the api closed): the events stay readable.
    failure = error;
  });
  return {
    events,
    ticks: () => events.filter((e) => e.event === 'tick').map((e) => e.data),
    retry: () => retry,
    failure: () => failure,
    close: async () => {
      controller.abort();
      await done;
    },
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describeWithRedis('GET /events/live (the dashboard stream)', () => {
  const sink = logSink();
  const prefix = uniqueTestPrefix('api-live');
  const keys = keyLayout(prefix);
  let redis: Redis;
  let api: RunningHttp;
  let hub: LiveHub;
  const reads = new SharedReads({ cacheMs: 0 }); // every tick reads: what a tick costs shows

  /**
   * Runs `body` from a stopped hub to a stopped hub; returns the Redis reads and ticks it cost.
   * (Ticks are counted when they end; a tick that ends after the last client left reads only
   * the totals, and the first may start before every client has subscribed.)
   */
  async function cost(body: () => Promise<void>): Promise<{ reads: number; ticks: number }> {
    await until(() => !hub.active, 'the hub to be idle');
    const [reads0, ticks0] = [reads.counts.redis, hub.ticks];
    await body();
    await until(() => hub.clientCount === 0 && !hub.active, 'the hub to stop');
    return { reads: reads.counts.redis - reads0, ticks: hub.ticks - ticks0 };
  }

  beforeAll(async () => {
    redis = createTestRedis();
    const batch = new BatchAggregator();
    const second = Math.floor(Date.now() / 1000) - 5;
    for (let i = 0; i < 3; i++) batch.addEvent('click', second);
    batch.addEvent('view', second);
    batch.addWord('lorem');
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
        sharedReads: reads,
        liveTickMs: TICK_MS,
        onLiveHub: (h) => {
          hub = h;
        },
      }),
    );
  });
  afterAll(async () => {
    await api.close();
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('streams text/event-stream with no-cache, retry: and a first history event', async () => {
    const res = await fetch(`${api.baseUrl}/events/live?window=60&top=5`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(res.headers.get('content-encoding')).toBeNull();
    await res.body!.cancel();
    await until(() => hub.clientCount === 0 && !hub.active, 'the hub to stop');
  });

  it('gives two browsers of one selection the same ticks from one read per tick, then stops', async () => {
    const url = `${api.baseUrl}/events/live?window=60&top=5`;
    const a = openStream(url);
    const b = openStream(url);
    const spent = await cost(async () => {
      await until(() => hub.clientCount === 2, 'both clients to subscribe');
      const joined = hub.ticks;
      await until(() => hub.ticks >= joined + 4, 'four ticks with both clients');
      await until(
        () => a.ticks().length >= 3 && b.ticks().length >= 3,
        'both clients to receive those ticks',
      );
      await Promise.all([a.close(), b.close()]);
    });
    // Two reads per tick (the totals, and the counts of the one selection), not two per
    // client: a tick ending after both left read only the totals.
    expect(spent.ticks).toBeGreaterThanOrEqual(4);
    expect(spent.reads).toBeLessThanOrEqual(2 * spent.ticks);
    expect(spent.reads).toBeGreaterThanOrEqual(2 * spent.ticks - 1);
    expect(reads.counts.shared).toBe(0);
    expect(a.retry()).toBe('2000');
    expect(a.events[0].event).toBe('history');
    // The ticks both were connected for are the same text, byte for byte.
    const common = a.ticks().filter((data) => b.ticks().includes(data));
    expect(common.length).toBeGreaterThanOrEqual(2);
    const tick = JSON.parse(a.ticks().at(-1)!);
    expect(tick.types).toEqual([
      ['click', 3],
      ['view', 1],
    ]);
    expect(tick.words).toEqual([['lorem', 1]]);
    expect(tick.stats).toEqual({ events: 4, malformedLines: 0 });
    expect(tick.rate).toEqual({ t: expect.any(Number), events: 0, malformed: 0 });
    // Nothing ticks any more: no timer was left behind.
    const ticksAfter = hub.ticks;
    await new Promise((resolve) => setTimeout(resolve, 3 * TICK_MS));
    expect(hub.ticks).toBe(ticksAfter);
    expect(hub.active).toBe(false);
  });

  it('reads once per distinct selection per tick', async () => {
    const urls = ['/events/live?top=1', '/events/live?top=1', '/events/live?top=2&window=600'];
    const streams = urls.map((path) => openStream(`${api.baseUrl}${path}`));
    const spent = await cost(async () => {
      await until(() => hub.clientCount === 3, 'three clients to subscribe');
      const joined = hub.ticks;
      await until(() => hub.ticks >= joined + 4, 'four ticks with all three');
      await until(() => streams.every((s) => s.ticks().length > 0), 'every client to get a tick');
      await Promise.all(streams.map((s) => s.close()));
    });
    // The totals and one read per selection (2), per tick; 4 per tick if each client read.
    expect(spent.ticks).toBeGreaterThanOrEqual(4);
    expect(spent.reads).toBeLessThanOrEqual(3 * spent.ticks);
    expect(spent.reads).toBeGreaterThanOrEqual(3 * spent.ticks - 3);
    expect(JSON.parse(streams[0].ticks().at(-1)!).types).toEqual([['click', 3]]);
    expect(JSON.parse(streams[2].ticks().at(-1)!).types).toEqual([
      ['click', 3],
      ['view', 1],
    ]);
  });

  it('validates window and top like the count endpoints', async () => {
    const answer = await request(`${api.baseUrl}/events/live?top=0`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({
      error: 'invalid "top" parameter "0": expected an integer from 1 to 10000',
    });
    expect((await request(`${api.baseUrl}/events/live?window=3601`)).status).toBe(400);
  });

  it('serves the page, its script and stylesheet with a strict CSP; other methods get a 405', async () => {
    const page = await request(`${api.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.text).toContain('<script src="/dashboard.js" defer></script>');
    expect(page.text).not.toMatch(/<script>|<style>|style="/);
    const script = await request(`${api.baseUrl}/dashboard.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.text).not.toContain('innerHTML');
    expect((await request(`${api.baseUrl}/dashboard.css`)).status).toBe(200);
    for (const path of ['/', '/events/live', '/dashboard.js']) {
      const answer = await request(`${api.baseUrl}${path}`, { method: 'POST' });
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('GET, HEAD');
    }
  });
});

describe('GET /events/live while Redis is down', () => {
  it('sends "unavailable" events and keeps the stream open', async () => {
    const sink = logSink();
    const client = createRedisClient(`redis://127.0.0.1:${await closedPort()}`, sink.logger);
    let hub: LiveHub | undefined;
    const api = await listenOnEphemeralPort(
      createApp({
        redis: client,
        keys: keyLayout(uniqueTestPrefix('api-live-down')),
        retentionSeconds: 3600,
        logger: sink.logger,
        liveTickMs: TICK_MS,
        onLiveHub: (h) => {
          hub = h;
        },
      }),
    );
    const stream = openStream(`${api.baseUrl}/events/live`);
    try {
      await until(
        () => stream.events.filter((e) => e.event === 'unavailable').length >= 2,
        'two unavailable events on one stream',
      );
      const unavailable = stream.events.find((e) => e.event === 'unavailable')!;
      expect(JSON.parse(unavailable.data).error).toMatch(/^redis unavailable: /);
      expect(hub!.clientCount).toBe(1);
    } finally {
      await stream.close();
      await until(() => hub!.clientCount === 0 && !hub!.active, 'the hub to stop');
      await api.close();
      client.disconnect();
      // ioredis arms each command's commandTimeout timer before it rejects the command for a
      // disconnected client (lib/Redis.ts sendCommand), so those timers outlive the test by up
      // to commandTimeout; wait them out rather than leave them to jest.
      await new Promise((resolve) => setTimeout(resolve, API_REDIS_OPTIONS.commandTimeout));
    }
  });
});
