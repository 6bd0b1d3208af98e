import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { BatchAggregator, commitBatch, keyLayout } from '@tally/aggregation';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import type { Redis } from 'ioredis';
import { listenOnEphemeralPort, logSink, request, type RunningHttp } from '../../testing/harness';
import { createApp } from '../app';
import { SharedReads } from '../shared-reads';
import type { LiveHub } from './live-hub';
import {
  LIVE_MAX_SELECTIONS_PER_TICK,
  LIVE_MAX_SKIPPED_TICKS,
  LIVE_MAX_TOP_PER_TICK,
} from './live-limits';
import { eventually } from '@tally/testing';

const TICK_MS = 50;
const MAX_CLIENTS = 40;
/** Words of the test's vocabulary: a `top=10000` tick is about 400 KB of text. */
const WORDS = Array.from(
  { length: 10_000 },
  (_, i) => `word-${String(i).padStart(5, '0')}-${'x'.repeat(20)}`,
);

/**
 * A live client on a raw socket: `GET /events/live…`, then either reading and counting the
 * ticks (`reading`) or never reading a byte, as a stuck or hostile client does.
 */
function liveClient(port: number, query: string, reading: boolean) {
  const socket: Socket = connect(port, '127.0.0.1');
  let text = '';
  let closed = false;
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  socket.write(`GET /events/live${query} HTTP/1.1\r\nHost: test\r\n\r\n`);
  if (reading) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      // Keep the head and the tail only: enough for the status line and counting ticks.
      text = text.length < 4096 ? text + chunk : text;
      ticks += chunk.split('event: tick\n').length - 1;
    });
  } else {
    socket.pause();
  }
  let ticks = 0;
  return {
    head: () => text.slice(0, text.indexOf('\r\n\r\n') + 4),
    ticks: () => ticks,
    closed: () => closed,
    close: () => socket.destroy(),
  };
}

describeWithRedis('the live stream stays bounded', () => {
  const sink = logSink();
  const prefix = uniqueTestPrefix('api-live-bounds');
  const keys = keyLayout(prefix);
  const reads = new SharedReads({ cacheMs: 0 }); // every read shows in reads.counts.redis
  let redis: Redis;
  let api: RunningHttp;
  let hub: LiveHub;
  const clients: ReturnType<typeof liveClient>[] = [];
  const open = (query: string, reading = true) => {
    const client = liveClient(api.port, query, reading);
    clients.push(client);
    return client;
  };
  const closeAll = async () => {
    for (const client of clients.splice(0)) client.close();
    await eventually('the hub to stop', () => hub.clientCount === 0 && !hub.active, { everyMs: 5 });
  };

  beforeAll(async () => {
    redis = createTestRedis();
    const batch = new BatchAggregator();
    batch.addEvent('type', Math.floor(Date.now() / 1000) - 5);
    for (const word of WORDS) batch.addWord(word);
    await commitBatch(
      redis,
      keys,
      batch.take(),
      { ingestId: randomUUID(), seq: 1 },
      {
        retentionSeconds: 3600,
      },
    );
    const app = createApp({
      redis,
      keys,
      retentionSeconds: 3600,
      logger: sink.logger,
      sharedReads: reads,
      liveTickMs: TICK_MS,
      liveMaxClients: MAX_CLIENTS,
    });
    hub = app.live;
    api = await listenOnEphemeralPort(app.listener);
  });
  afterEach(closeAll);
  afterAll(async () => {
    await api.close();
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it(`refuses stream ${MAX_CLIENTS + 1} with a 503 in JSON, and takes one again once a stream ends`, async () => {
    for (let i = 0; i < MAX_CLIENTS; i++) open('?top=3');
    await eventually('every stream to be open', () => hub.clientCount === MAX_CLIENTS, {
      everyMs: 5,
    });
    const refused = await request(`${api.baseUrl}/events/live?top=3`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(JSON.parse(refused.text)).toEqual({
      error: `too many live streams: ${MAX_CLIENTS} are open, the most LIVE_MAX_CLIENTS allows; retry later`,
    });
    // The JSON endpoints are not counted against it.
    expect((await request(`${api.baseUrl}/events/stats`)).status).toBe(200);
    clients[0].close();
    await eventually('one stream to end', () => hub.clientCount === MAX_CLIENTS - 1, {
      everyMs: 5,
    });
    const again = open('?top=3');
    await eventually('the new stream to get a tick', () => again.ticks() > 0, { everyMs: 5 });
    expect(again.head()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(hub.counts.refused).toBe(1);
  });

  it(`reads at most ${LIVE_MAX_SELECTIONS_PER_TICK} selections a tick, each of ${LIVE_MAX_SELECTIONS_PER_TICK + 8} in turn`, async () => {
    const selections = LIVE_MAX_SELECTIONS_PER_TICK + 8;
    const streams = Array.from({ length: selections }, (_, i) => open(`?top=${i + 1}`));
    await eventually('every stream to be open', () => hub.clientCount === selections, {
      everyMs: 5,
    });
    const [reads0, ticks0] = [reads.counts.redis, hub.ticks];
    await eventually('six more ticks', () => hub.ticks >= ticks0 + 6, { everyMs: 5 });
    const [readsSpent, ticksSpent] = [reads.counts.redis - reads0, hub.ticks - ticks0];
    // Per tick: the totals, the events per second, and at most the bound of selections (one
    // read each, types and words together); a tick in flight may add one tick's reads.
    expect(readsSpent).toBeLessThanOrEqual((ticksSpent + 1) * (2 + LIVE_MAX_SELECTIONS_PER_TICK));
    // Round-robin: every selection is served within two ticks, so all got ticks.
    await eventually(
      'every selection to get two ticks',
      () => streams.every((s) => s.ticks() >= 2),
      { everyMs: 5 },
    );
  });

  it(`reads selections whose top add up to at most ${LIVE_MAX_TOP_PER_TICK} a tick, in turn`, async () => {
    // Four top=10000 selections: two a tick, so each is read every other tick.
    const streams = [3600, 3599, 3598, 3597].map((w) => open(`?top=10000&window=${w}`));
    await eventually('every stream to be open', () => hub.clientCount === streams.length, {
      everyMs: 5,
    });
    const [reads0, ticks0] = [reads.counts.redis, hub.ticks];
    await eventually('six more ticks', () => hub.ticks >= ticks0 + 6, { everyMs: 5 });
    const [readsSpent, ticksSpent] = [reads.counts.redis - reads0, hub.ticks - ticks0];
    const perTick = 2 + LIVE_MAX_TOP_PER_TICK / 10_000;
    expect(readsSpent).toBeLessThanOrEqual((ticksSpent + 1) * perTick);
    await eventually(
      'every selection to get two ticks',
      () => streams.every((s) => s.ticks() >= 2),
      { everyMs: 5 },
    );
  });

  it(`skips ticks for a client that never reads, and cuts it after ${LIVE_MAX_SKIPPED_TICKS} in a row; a reader beside it goes on`, async () => {
    open('?top=10000', false); // never reads
    const reader = open('?top=10000');
    await eventually('both streams to be open', () => hub.clientCount === 2, { everyMs: 5 });
    await eventually('the stuck client to be cut', () => hub.counts.cut === 1, {
      timeoutMs: 20_000,
      everyMs: 5,
    });
    expect(hub.counts.skipped).toBeGreaterThanOrEqual(LIVE_MAX_SKIPPED_TICKS);
    await eventually('the stuck client to be gone', () => hub.clientCount === 1, { everyMs: 5 });
    const seen = reader.ticks();
    await eventually('the reader to go on getting ticks', () => reader.ticks() >= seen + 3, {
      everyMs: 5,
    });
    expect(reader.closed()).toBe(false);
  });

  it('answers 503 in JSON once the hub is closed (shutdown)', async () => {
    hub.close();
    const answer = await request(`${api.baseUrl}/events/live`);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({
      error: 'the api is shutting down: the live stream is closed',
    });
  });
});
