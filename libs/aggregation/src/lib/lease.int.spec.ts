import type { Redis } from 'ioredis';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  freeLocalPort,
  startOwnRedisServer,
  uniqueTestPrefix,
} from '../testing';
import { BatchAggregator } from './batch';
import { commitBatch } from './commit-batch';
import { BatchRejectedError, LeaseHeldError } from './errors';
import { keyLayout } from './keys';
import { WriterLease } from './lease';
import { readStats } from './read-counts';
import { appendStreamEntry } from './stream';

const W = { retentionSeconds: 3600 };

function oneEvent() {
  const agg = new BatchAggregator();
  agg.addEvent('foo');
  agg.addWord('x');
  return agg.take();
}

async function rejection(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describeWithRedis('WriterLease (real Redis)', () => {
  const prefix = uniqueTestPrefix('lease');
  const keys = keyLayout(prefix);
  let redis: Redis;
  const leases: WriterLease[] = [];
  const acquire = async (id: string, leaseMs = 400, role: 'ingest' | 'producer' = 'ingest') => {
    const lease = await WriterLease.acquire(redis, keys, role, id, { leaseMs });
    leases.push(lease);
    return lease;
  };

  beforeAll(() => {
    redis = createTestRedis();
  });
  afterEach(async () => {
    for (const lease of leases.splice(0)) lease.stopRenewing();
    await deleteKeysWithPrefix(redis, prefix);
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('starts a new id at sequence 0 and a restarted one after its last applied batch', async () => {
    const first = await acquire('fixed');
    expect(first.lastSeq).toBe(0);
    for (const seq of [1, 2, 3]) {
      const stamp = { ingestId: 'fixed', seq, lease: first.stamp };
      expect(await commitBatch(redis, keys, oneEvent(), stamp, W)).toBe('applied');
    }
    await first.release();
    const second = await acquire('fixed');
    expect(second.lastSeq).toBe(3);
    const stamp = { ingestId: 'fixed', seq: second.lastSeq + 1, lease: second.stamp };
    expect(await commitBatch(redis, keys, oneEvent(), stamp, W)).toBe('applied');
    expect(await readStats(redis, keys)).toEqual({ events: 4, malformedLines: 0 });
  });

  it('refuses an id whose holder keeps renewing, after waiting about one lease time', async () => {
    const holder = await acquire('busy', 300);
    holder.renewEvery();
    const startedAt = performance.now();
    const error = await rejection(acquire('busy', 300));
    expect(error).toBeInstanceOf(LeaseHeldError);
    expect((error as Error).message).toMatch(
      /ingest id "busy" is in use by another running ingest/,
    );
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(300);
    expect(await redis.get(keys.writerLease('ingest', 'busy'))).toBe(holder.token);
  });

  it('takes over an id whose holder died (no renewal, no release) once its lease lapsed', async () => {
    const dead = await acquire('crashed', 300);
    const stamp = { ingestId: 'crashed', seq: 1, lease: dead.stamp };
    await commitBatch(redis, keys, oneEvent(), stamp, W);
    const next = await acquire('crashed', 300);
    expect(next.lastSeq).toBe(1);
    expect(await redis.get(keys.writerLease('ingest', 'crashed'))).toBe(next.token);
  });

  it('refuses a batch stamped with a lease another process holds, writing nothing', async () => {
    const current = await acquire('taken');
    const impostor = { token: 'not-the-holder', ms: 400 };
    const error = await rejection(
      commitBatch(redis, keys, oneEvent(), { ingestId: 'taken', seq: 99, lease: impostor }, W),
    );
    expect(error).toBeInstanceOf(BatchRejectedError);
    expect((error as BatchRejectedError).code).toBe('ERR_LEASE_LOST');
    // Also without any lease: a batch for an id somebody holds is never applied.
    const bare = await rejection(
      commitBatch(redis, keys, oneEvent(), { ingestId: 'taken', seq: 1 }, W),
    );
    expect((bare as BatchRejectedError).code).toBe('ERR_LEASE_LOST');
    expect(await readStats(redis, keys)).toEqual({ events: 0, malformedLines: 0 });
    expect(await redis.get(keys.appliedSeq('taken'))).toBeNull();
    expect(await redis.get(keys.writerLease('ingest', 'taken'))).toBe(current.token);
  });

  it('refreshes the lease with every batch it applies', async () => {
    const lease = await acquire('fresh', 60_000);
    await redis.pexpire(keys.writerLease('ingest', 'fresh'), 1_000);
    await commitBatch(
      redis,
      keys,
      oneEvent(),
      { ingestId: 'fresh', seq: 1, lease: lease.stamp },
      W,
    );
    expect(await redis.pttl(keys.writerLease('ingest', 'fresh'))).toBeGreaterThan(50_000);
  });

  it('takes a lapsed lease back at its next write when nobody else took it', async () => {
    const lease = await acquire('lapsed', 60_000);
    await redis.del(keys.writerLease('ingest', 'lapsed'));
    const stamp = { ingestId: 'lapsed', seq: 1, lease: lease.stamp };
    expect(await commitBatch(redis, keys, oneEvent(), stamp, W)).toBe('applied');
    expect(await redis.get(keys.writerLease('ingest', 'lapsed'))).toBe(lease.token);
  });

  it('fences a producer id the same way and continues its entry sequence', async () => {
    const first = await acquire('p1', 400, 'producer');
    expect(await appendStreamEntry(redis, keys, 'p1', 1, Buffer.from('a'), 100, first.stamp)).toBe(
      'appended',
    );
    const stale = { token: 'old-holder', ms: 400 };
    const error = await rejection(
      appendStreamEntry(redis, keys, 'p1', 2, Buffer.from('b'), 100, stale),
    );
    expect((error as BatchRejectedError).code).toBe('ERR_LEASE_LOST');
    await first.release();
    const second = await acquire('p1', 400, 'producer');
    expect(second.lastSeq).toBe(1);
    expect(await redis.xlen(keys.stream)).toBe(1);
  });

  it('reports a lost lease once a renewal finds another holder', async () => {
    const lease = await acquire('stolen', 300);
    const lost = new Promise<string>((resolve) => lease.onLost(resolve));
    lease.renewEvery();
    await redis.set(keys.writerLease('ingest', 'stolen'), 'someone-else', 'PX', 10_000);
    expect(await lost).toMatch(/another process took the id/);
    expect(lease.lost).toBeDefined();
  });

  it('keeps a lease another process took over when the old holder releases', async () => {
    const old = await acquire('handover', 300);
    await redis.set(keys.writerLease('ingest', 'handover'), 'new-holder', 'PX', 10_000);
    await old.release();
    expect(await redis.get(keys.writerLease('ingest', 'handover'))).toBe('new-holder');
  });

  it('stops waiting for a held id when its abort signal fires', async () => {
    const holder = await acquire('abort', 60_000);
    const controller = new AbortController();
    const waiting = WriterLease.acquire(redis, keys, 'ingest', 'abort', {
      leaseMs: 60_000,
      signal: controller.signal,
    });
    controller.abort(new Error('stop requested'));
    expect(((await rejection(waiting)) as Error).message).toBe('stop requested');
    expect(await redis.get(keys.writerLease('ingest', 'abort'))).toBe(holder.token);
  });
});

describeWithRedis('WriterLease while Redis is away', () => {
  it('waits and retries until Redis answers, then takes the lease', async () => {
    const port = await freeLocalPort();
    const client = createTestRedis(`redis://127.0.0.1:${port}`);
    client.on('error', () => undefined);
    const keys = keyLayout(uniqueTestPrefix('lease-outage'));
    const waits: string[] = [];
    const acquiring = WriterLease.acquire(client, keys, 'ingest', 'late', {
      leaseMs: 1_000,
      retryMaxMs: 100,
      onWait: (reason) => waits.push(reason),
    });
    const until = Date.now() + 5_000;
    while (waits.length === 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(waits).toEqual(['error']); // once, however many attempts failed
    // Nothing listened on the port: now a redis-server does.
    const server = await startOwnRedisServer({ port });
    try {
      const lease = await acquiring;
      expect(lease.lastSeq).toBe(0);
      expect(await client.get(keys.writerLease('ingest', 'late'))).toBe(lease.token);
    } finally {
      client.disconnect();
      await server.dispose();
    }
  });
});
