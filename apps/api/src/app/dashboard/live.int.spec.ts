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
import { type LiveHub, RATE_SERIES_SECONDS } from './live-hub';
import { eventually } from '@tally/testing';

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

describeWithRedis('GET /events/live (the dashboard stream)', () => {
  const sink = logSink();
  const prefix = uniqueTestPrefix('api-live');
  const keys = keyLayout(prefix);
  let redis: Redis;
  let api: RunningHttp;
  let hub: LiveHub;
  const reads = new SharedReads({ cacheMs: 0 }); // every tick reads: what a tick costs shows
  /** The second the events were written around (event time), by the test's clock. */
  let second: number;

  /** A tick's events series as a map second -> events, checked to be RATE_SERIES_SECONDS long. */
  function eventsBySecond(series: [number, number][]): Map<number, number> {
    expect(series).toHaveLength(RATE_SERIES_SECONDS);
    const last = series.at(-1)![0];
    // The series ends at the api's "now": a little after the writes, by the same clock.
    expect(last).toBeGreaterThanOrEqual(second);
    expect(last).toBeLessThanOrEqual(second + 10);
    series.forEach(([t], i) => expect(t).toBe(last - RATE_SERIES_SECONDS + 1 + i));
    return new Map(series);
  }

  /** The events series as the test wrote it: 4 events 5 s ago, 2 events 200 s ago, else 0. */
  function expectWrittenSeries(series: [number, number][]): void {
    const bySecond = eventsBySecond(series);
    expect(bySecond.get(second - 5)).toBe(4);
    expect(bySecond.get(second - 200)).toBe(2);
    const others = series.filter(([t]) => t !== second - 5 && t !== second - 200);
    expect(others.every(([, n]) => n === 0)).toBe(true);
  }

  /**
   * Runs `body` from a stopped hub to a stopped hub; returns the Redis reads and ticks it cost.
   * (Ticks are counted when they end; a tick that ends after the last client left reads only
   * the totals, and the first may start before every client has subscribed.)
   */
  async function cost(body: () => Promise<void>): Promise<{ reads: number; ticks: number }> {
    await eventually('the hub to be idle', () => !hub.active, { everyMs: 5 });
    const [reads0, ticks0] = [reads.counts.redis, hub.ticks];
    await body();
    await eventually('the hub to stop', () => hub.clientCount === 0 && !hub.active, { everyMs: 5 });
    return { reads: reads.counts.redis - reads0, ticks: hub.ticks - ticks0 };
  }

  beforeAll(async () => {
    redis = createTestRedis();
    const batch = new BatchAggregator();
    second = Math.floor(Date.now() / 1000);
    batch.addEvent('old', second - 310); // before the line's first second
    batch.addEvent('view', second - 200); // in the 5-minute line, outside window=60
    batch.addEvent('view', second - 200);
    for (let i = 0; i < 3; i++) batch.addEvent('click', second - 5);
    batch.addEvent('view', second - 5);
    batch.addWord('lorem'); // a word of the last event (5 s ago)
    await commitBatch(
      redis,
      keys,
      batch.take(),
      { ingestId: randomUUID(), seq: 1 },
      { retentionSeconds: 3600 },
    );
    const app = createApp({
      redis,
      keys,
      retentionSeconds: 3600,
      logger: sink.logger,
      sharedReads: reads,
      liveTickMs: TICK_MS,
    });
    hub = app.live;
    api = await listenOnEphemeralPort(app.listener);
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
    await eventually('the hub to stop', () => hub.clientCount === 0 && !hub.active, { everyMs: 5 });
  });

  it('gives two browsers of one selection the same ticks from one read per tick, then stops', async () => {
    const url = `${api.baseUrl}/events/live?window=60&top=5`;
    const a = openStream(url);
    const b = openStream(url);
    const spent = await cost(async () => {
      await eventually('both clients to subscribe', () => hub.clientCount === 2, { everyMs: 5 });
      const joined = hub.ticks;
      await eventually('four ticks with both clients', () => hub.ticks >= joined + 4, {
        everyMs: 5,
      });
      await eventually(
        'both clients to receive those ticks',
        () => a.ticks().length >= 3 && b.ticks().length >= 3,
        { everyMs: 5 },
      );
      await Promise.all([a.close(), b.close()]);
    });
    // Three reads per tick (the totals, the events per second, and the counts of the one
    // selection), not three per client: a tick ending after both left read no counts.
    expect(spent.ticks).toBeGreaterThanOrEqual(4);
    expect(spent.reads).toBeLessThanOrEqual(3 * spent.ticks);
    expect(spent.reads).toBeGreaterThanOrEqual(3 * spent.ticks - 1);
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
    expect(tick.stats).toEqual({ events: 7, malformedLines: 0 });
    // The events line is by event time, from the windowed counts: what was written, complete
    // from the first tick on; malformed lines per second are the totals' delta between ticks.
    expectWrittenSeries(tick.rate.events);
    expectWrittenSeries(JSON.parse(a.ticks()[0]).rate.events);
    expect(tick.rate.malformed).toEqual({ t: expect.any(Number), malformed: 0 });
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
      await eventually('three clients to subscribe', () => hub.clientCount === 3, { everyMs: 5 });
      const joined = hub.ticks;
      await eventually('four ticks with all three', () => hub.ticks >= joined + 4, { everyMs: 5 });
      await eventually(
        'every client to get a tick',
        () => streams.every((s) => s.ticks().length > 0),
        { everyMs: 5 },
      );
      await Promise.all(streams.map((s) => s.close()));
    });
    // The totals, the events per second and one read per selection (2), per tick; 5 per tick
    // if each client read. The first tick may see one selection, the last (after all left) none.
    expect(spent.ticks).toBeGreaterThanOrEqual(4);
    expect(spent.reads).toBeLessThanOrEqual(4 * spent.ticks);
    expect(spent.reads).toBeGreaterThanOrEqual(4 * spent.ticks - 3);
    expect(JSON.parse(streams[0].ticks().at(-1)!).types).toEqual([['click', 3]]);
    expect(JSON.parse(streams[2].ticks().at(-1)!).types).toEqual([
      ['click', 3],
      ['view', 3],
    ]);
    // Every selection gets the same events line (read once per tick).
    const lines = streams.map((s) => JSON.parse(s.ticks().at(-1)!).rate.events);
    expectWrittenSeries(lines[0]);
    expect(lines[2]).toEqual(lines[0]);
  });

  it('sends a browser joining a running loop the events line at once, in its history', async () => {
    const url = `${api.baseUrl}/events/live?window=60&top=5`;
    const first = openStream(url);
    await cost(async () => {
      await eventually('a tick for the first client', () => first.ticks().length >= 1, {
        everyMs: 5,
      });
      const late = openStream(url);
      await eventually('the history of the late client', () => late.events.length >= 1, {
        everyMs: 5,
      });
      const history = JSON.parse(late.events[0].data);
      expect(late.events[0].event).toBe('history');
      expectWrittenSeries(history.events);
      expect(history.malformed).toEqual(expect.any(Array));
      await Promise.all([first.close(), late.close()]);
    });
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
    const app = createApp({
      redis: client,
      keys: keyLayout(uniqueTestPrefix('api-live-down')),
      retentionSeconds: 3600,
      logger: sink.logger,
      liveTickMs: TICK_MS,
    });
    const hub = app.live;
    const api = await listenOnEphemeralPort(app.listener);
    const stream = openStream(`${api.baseUrl}/events/live`);
    try {
      await eventually(
        'two unavailable events on one stream',
        () => stream.events.filter((e) => e.event === 'unavailable').length >= 2,
        { everyMs: 5 },
      );
      const unavailable = stream.events.find((e) => e.event === 'unavailable')!;
      expect(JSON.parse(unavailable.data).error).toMatch(/^redis unavailable: /);
      expect(hub.clientCount).toBe(1);
    } finally {
      await stream.close();
      await eventually('the hub to stop', () => hub.clientCount === 0 && !hub.active, {
        everyMs: 5,
      });
      await api.close();
      client.disconnect();
      // ioredis arms each command's commandTimeout timer before it rejects the command for a
      // disconnected client (lib/Redis.ts sendCommand), so those timers outlive the test by up
      // to commandTimeout; wait them out rather than leave them to jest.
      await new Promise((resolve) => setTimeout(resolve, API_REDIS_OPTIONS.commandTimeout));
    }
  });
});
