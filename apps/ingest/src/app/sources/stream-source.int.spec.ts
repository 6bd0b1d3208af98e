import {
  appendStreamEntry,
  ensureStreamGroup,
  keyLayout,
  readNewEntries,
  readStats,
  WriterLease,
} from '@tally/aggregation';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  testRedisUrl,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { createIngestRedis } from '../redis-client';
import { StreamSource } from './stream-source';
import { eventually } from '@tally/testing';

const silent = pino({ level: 'silent' });

describeWithRedis('StreamSource (real Redis)', () => {
  const prefix = uniqueTestPrefix('stream-source');
  const keys = keyLayout(prefix);
  let admin: Redis;
  const clients: Redis[] = [];
  const sources: StreamSource[] = [];

  /** A replica holding the lease on `ingestId`, not started yet. */
  async function source(ingestId: string, claimIdleMs = 30_000): Promise<StreamSource> {
    const made = [
      createIngestRedis(testRedisUrl(), silent),
      createIngestRedis(testRedisUrl(), silent),
    ];
    clients.push(...made);
    const lease = await WriterLease.acquire(made[0], keys, 'ingest', ingestId, { leaseMs: 60_000 });
    leases.push(lease);
    const options = {
      ingestId,
      lease,
      retentionSeconds: 3600,
      claimIdleMs,
      readCount: 2,
      blockMs: 50,
    };
    const s = new StreamSource(made[0], made[1], keys, options, silent);
    sources.push(s);
    return s;
  }
  const leases: WriterLease[] = [];
  let producerSeq = 0;
  const line = (n: number) => `{"event_type":"t${n % 3}","data":"w${n % 5} x","timestamp":1}`;
  /** Appends `entries` entries of 25 valid lines each. */
  async function append(entries: number): Promise<void> {
    for (let i = 0; i < entries; i++) {
      const seq = ++producerSeq;
      const lines = Array.from({ length: 25 }, (_, j) => line(seq * 25 + j));
      await appendStreamEntry(admin, keys, 'p', seq, Buffer.from(lines.join('\n')), 1000);
    }
  }
  async function stopAll(): Promise<void> {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
    for (const lease of leases.splice(0)) await lease.release();
  }

  beforeAll(() => {
    admin = createTestRedis();
  });
  afterEach(async () => {
    await stopAll();
    await deleteKeysWithPrefix(admin, prefix);
    producerSeq = 0;
  });
  afterAll(async () => {
    await stopAll();
    for (const c of clients) c.disconnect();
    await deleteKeysWithPrefix(admin, prefix);
    await admin.quit();
  });

  it('shares the entries between two replicas and counts each line once', async () => {
    const a = await source('a');
    const b = await source('b');
    a.start();
    b.start();
    const entries = 40;
    for (let seq = 1; seq <= entries; seq++) {
      const lines = Array.from({ length: 25 }, (_, i) => line(seq * 25 + i));
      if (seq === 7) lines.push('{ "Cu*S', '   ');
      await appendStreamEntry(admin, keys, 'p', seq, Buffer.from(lines.join('\n')), 1000);
    }
    await eventually(
      'every line to be counted',
      async () => {
        const stats = await readStats(admin, keys);
        return stats.events + stats.malformedLines >= entries * 25 + 1;
      },
      { everyMs: 10 },
    );
    await eventually('both to be idle', async () => a.held === 0 && b.held === 0, { everyMs: 10 });
    expect(await readStats(admin, keys)).toEqual({ events: 1000, malformedLines: 1 });
    expect(a.streamTotals.acked + b.streamTotals.acked).toBe(entries);
    expect(await admin.hget(keys.words, 'x')).toBe('1000');
  });

  it('acks every entry after a restart with the same INGEST_ID (its batch numbers go on)', async () => {
    const first = await source('fixed');
    first.start();
    await append(6);
    await eventually(
      'the first run to count everything',
      async () => (await readStats(admin, keys)).events === 150,
      { everyMs: 10 },
    );
    await stopAll();
    const second = await source('fixed');
    second.start();
    await append(6);
    await eventually(
      'the second run to count everything',
      async () => (await readStats(admin, keys)).events === 300,
      { everyMs: 10 },
    );
    await eventually(
      'the stream to have nothing pending',
      async () => (await admin.xpending(keys.stream, 'ingest'))[0] === 0,
      { everyMs: 10 },
    );
    expect(second.totals.duplicates).toBe(0);
    expect(second.streamTotals.acked).toBe(6);
  });

  it('counts at once what a dead process with the same INGEST_ID left pending', async () => {
    await ensureStreamGroup(admin, keys);
    await append(3);
    // A process named "same" read the entries and died before committing them.
    expect(await readNewEntries(admin, keys, 'same', 10, 10)).toHaveLength(3);
    const next = await source('same', 3_600_000); // no reclaim by idle time within this test
    next.start();
    await eventually(
      'its own leftovers to be counted',
      async () => (await readStats(admin, keys)).events === 75,
      { everyMs: 10 },
    );
    expect(next.streamTotals.claimed).toBe(0);
  });

  it("reclaims a dead consumer's entries on time even when the wall clock is set back an hour", async () => {
    await ensureStreamGroup(admin, keys);
    await append(2);
    expect(await readNewEntries(admin, keys, 'dead', 10, 10)).toHaveLength(2);
    const live = await source('live', 200);
    const realNow = Date.now.bind(Date);
    const clock = jest.spyOn(Date, 'now');
    try {
      live.start();
      clock.mockImplementation(() => realNow() - 3_600_000);
      await eventually(
        'the idle entries to be reclaimed',
        async () => live.streamTotals.claimed === 2,
        { everyMs: 10 },
      );
      await eventually(
        'them to be counted',
        async () => (await readStats(admin, keys)).events === 50,
        { everyMs: 10 },
      );
    } finally {
      clock.mockRestore();
    }
  });
});
