import {
  BatchAggregator,
  commitBatch,
  keyLayout,
  readCounts,
  readStats,
  WriterLease,
} from '@tally/aggregation';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  startOwnRedisServer,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { createIngestRedis } from '../redis-client';
import { Batcher, batchOutageLog } from './batcher';
import { BucketRoller } from './bucket-roller';
import { applyBatch, type BatchStamp, Committer } from './committer';
import { eventually } from '@tally/testing';

const silent = pino({ level: 'silent' });

describeWithRedis('Committer (real Redis)', () => {
  const prefix = uniqueTestPrefix('committer');
  const keys = keyLayout(prefix);
  let admin: Redis;
  const clients: Redis[] = [];

  function client(url?: string): Redis {
    const redis = createIngestRedis(
      url ?? process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      silent,
    );
    clients.push(redis);
    return redis;
  }
  /**
   * The FIFO's commit path, a Batcher over the Committer, holding the lease on
   * `overrides.ingestId` (default `test`), taken through `redis`.
   */
  async function batching(
    redis: Redis,
    overrides: {
      ingestId?: string;
      lease?: WriterLease;
      batchMaxKeys?: number;
      maxPendingKeys?: number;
    } = {},
    onPressure?: (o: boolean) => void,
  ) {
    const ingestId = overrides.ingestId ?? 'test';
    const lease =
      overrides.lease ??
      (await WriterLease.acquire(redis, keys, 'ingest', ingestId, { leaseMs: 60_000 }));
    const committer = new Committer(
      { ingestId, lease, retryBaseMs: 10, retryMaxMs: 100 },
      batchOutageLog(silent, () => batcher.heldKeys),
      new BucketRoller(redis, keys, 3600, silent),
    );
    const batcher: Batcher = new Batcher(
      committer,
      applyBatch(redis, keys, 3600),
      {
        flushIntervalMs: 20,
        batchMaxKeys: overrides.batchMaxKeys ?? 1000,
        maxPendingKeys: overrides.maxPendingKeys ?? 10_000,
      },
      onPressure,
    );
    return { batcher, committer };
  }

  beforeAll(() => {
    admin = createTestRedis();
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(admin, prefix);
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await deleteKeysWithPrefix(admin, prefix);
    await admin.quit();
  });

  it('stores pending counts after the flush interval without being asked', async () => {
    const { batcher: c } = await batching(client());
    c.pending.addEvent('foo');
    c.pending.addWord('lorem');
    c.afterCounting();
    await eventually(
      'the count to reach Redis',
      async () => (await readStats(admin, keys)).events === 1,
      { everyMs: 10 },
    );
    expect(await readCounts(admin, keys, 'words')).toEqual([['lorem', 1]]);
    await c.drain();
  });

  it('retries a given write under one seq and counts what it stored', async () => {
    const redis = client();
    const lease = await WriterLease.acquire(redis, keys, 'ingest', 'writer', { leaseMs: 60_000 });
    const { committer: c } = await batching(redis, { ingestId: 'writer', lease });
    const agg = new BatchAggregator();
    agg.addEvent('foo');
    agg.addWord('lorem');
    const batch = agg.take();
    const stamps: BatchStamp[] = [];
    const seq = lease.lastSeq + 1;
    const stored = await c.store({
      batch,
      write: async (stamp) => {
        stamps.push(stamp);
        if (stamps.length < 3) throw new Error('not yet');
        return commitBatch(redis, keys, batch, stamp, { retentionSeconds: 3600 });
      },
    });
    expect(stored).toBe(true);
    expect(stamps.map((s) => s.seq)).toEqual([seq, seq, seq]);
    expect(c.totals).toMatchObject({ batches: 1, events: 1, failedAttempts: 2 });
    expect(c.failing).toBe(false);
    expect(await readCounts(admin, keys, 'words')).toEqual([['lorem', 1]]);
    // A write that finds nothing left to store (another consumer counted it) counts nothing.
    expect(await c.store({ batch, write: async () => 'nothing-left' })).toBe(true);
    expect(c.totals.batches).toBe(1);
  });

  it('cuts batches of at most batchMaxKeys keys and stores every count', async () => {
    const { batcher: c, committer } = await batching(client(), { batchMaxKeys: 100 });
    for (let i = 0; i < 1050; i++) {
      c.pending.addEvent('foo');
      c.pending.addWord(`w${i}`);
      c.afterCounting();
    }
    await c.drain();
    expect(committer.totals.batches).toBeGreaterThanOrEqual(11);
    expect(await admin.hlen(keys.words)).toBe(1050);
    expect(await readStats(admin, keys)).toEqual({ events: 1050, malformedLines: 0 });
  });

  it('counts exactly once while its connections are killed again and again', async () => {
    // A redis-server of this test's own: CLIENT KILL TYPE normal on the shared one would cut
    // every other suite's (and any deployment's) connections too.
    const server = await startOwnRedisServer();
    const own = createTestRedis(server.url);
    const redis = client(server.url);
    const { batcher: c, committer } = await batching(redis, { batchMaxKeys: 50 });
    const expected = 20_000;
    let killing = true;
    const killer = (async () => {
      while (killing) {
        await own.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes').catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();
    for (let i = 0; i < expected; i++) {
      c.pending.addEvent(`t${i % 7}`);
      c.pending.addWord(`w${i % 500}`);
      if (i % 3 === 0) c.pending.addMalformed();
      c.afterCounting();
      if (i % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await c.drain();
    killing = false;
    await killer;
    expect(await readStats(own, keys)).toEqual({
      events: expected,
      malformedLines: Math.ceil(expected / 3),
    });
    const words = await readCounts(own, keys, 'words');
    expect(words.reduce((n, [, v]) => n + v, 0)).toBe(expected);
    expect(committer.totals.failedAttempts).toBeGreaterThan(0);
    own.disconnect();
    await server.dispose();
  });

  it('retries until Redis comes back on the same port, then stores everything once', async () => {
    const server = await startOwnRedisServer();
    const own = createTestRedis(server.url);
    try {
      const pressure: boolean[] = [];
      const { batcher: c, committer } = await batching(
        client(server.url),
        { maxPendingKeys: 100, batchMaxKeys: 50 },
        (o) => pressure.push(o),
      );
      // Stopped after the lease was taken (no AOF: the restart forgets it; the next batch takes it again).
      await server.stop();
      for (let i = 0; i < 150; i++) {
        c.pending.addEvent('foo');
        c.pending.addWord(`w${i}`);
        c.afterCounting();
      }
      await eventually('the committer to notice the outage', () => committer.failing, {
        everyMs: 10,
      });
      expect(c.overloaded).toBe(true);
      expect(pressure).toEqual([true]);
      await server.start();
      await c.drain();
      expect(pressure).toEqual([true, false]);
      expect(await readStats(own, keys)).toEqual({ events: 150, malformedLines: 0 });
      expect(await own.hlen(keys.words)).toBe(150);
    } finally {
      own.disconnect();
      await server.dispose();
    }
  });

  it("continues its id's sequence after a restart with the same id, so no batch is taken for a duplicate", async () => {
    const redis = client();
    const lease = () => WriterLease.acquire(redis, keys, 'ingest', 'fixed', { leaseMs: 60_000 });
    const firstLease = await lease();
    const { batcher: first } = await batching(redis, { ingestId: 'fixed', lease: firstLease });
    for (let i = 0; i < 3; i++) {
      first.pending.addEvent('foo');
      first.flushNow();
      await first.drain();
    }
    await firstLease.release();
    const second = await batching(redis, { ingestId: 'fixed', lease: await lease() });
    second.batcher.pending.addEvent('foo');
    second.batcher.pending.addWord('after-restart');
    await second.batcher.drain();
    expect(second.committer.totals.duplicates).toBe(0);
    expect(await readStats(admin, keys)).toEqual({ events: 4, malformedLines: 0 });
    expect(await admin.get(keys.appliedSeq('fixed'))).toBe('4');
  });

  it('stops writing, and reports the lease lost, when another process holds its id', async () => {
    const redis = client();
    const lease = await WriterLease.acquire(redis, keys, 'ingest', 'shared', { leaseMs: 60_000 });
    const { batcher: c, committer } = await batching(redis, { ingestId: 'shared', lease });
    const lost = new Promise<string>((resolve) => lease.onLost(resolve));
    await admin.set(keys.writerLease('ingest', 'shared'), 'another-process', 'PX', 60_000);
    c.pending.addEvent('foo');
    c.flushNow();
    expect(await lost).toMatch(/another process holds the lease/);
    expect(await readStats(admin, keys)).toEqual({ events: 0, malformedLines: 0 });
    expect(committer.totals.failedAttempts).toBe(0);
  });
});
