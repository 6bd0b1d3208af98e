import { appendStreamEntry, keyLayout, readStats } from '@tally/aggregation';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  testRedisUrl,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { createIngestRedis } from './redis-client';
import { StreamSource } from './stream-source';

const silent = pino({ level: 'silent' });

async function until(what: string, check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeWithRedis('StreamSource (real Redis)', () => {
  const prefix = uniqueTestPrefix('stream-source');
  const keys = keyLayout(prefix);
  let admin: Redis;
  const clients: Redis[] = [];
  const sources: StreamSource[] = [];

  function source(ingestId: string, claimIdleMs = 30_000): StreamSource {
    const made = [
      createIngestRedis(testRedisUrl(), silent),
      createIngestRedis(testRedisUrl(), silent),
    ];
    clients.push(...made);
    const options = { ingestId, retentionSeconds: 3600, claimIdleMs, readCount: 2, blockMs: 50 };
    const s = new StreamSource(made[0], made[1], keys, options, silent);
    sources.push(s);
    return s;
  }

  beforeAll(() => {
    admin = createTestRedis();
  });
  afterAll(async () => {
    await Promise.all(sources.map((s) => s.stop()));
    for (const c of clients) c.disconnect();
    await deleteKeysWithPrefix(admin, prefix);
    await admin.quit();
  });

  it('shares the entries between two replicas and counts each line once', async () => {
    const a = source('a');
    const b = source('b');
    a.start();
    b.start();
    const line = (n: number) => `{"event_type":"t${n % 3}","data":"w${n % 5} x","timestamp":1}`;
    const entries = 40;
    for (let seq = 1; seq <= entries; seq++) {
      const lines = Array.from({ length: 25 }, (_, i) => line(seq * 25 + i));
      if (seq === 7) lines.push('{ "Cu*S', '   ');
      await appendStreamEntry(admin, keys, 'p', seq, Buffer.from(lines.join('\n')), 1000);
    }
    await until('every line to be counted', async () => {
      const stats = await readStats(admin, keys);
      return stats.events + stats.malformedLines >= entries * 25 + 1;
    });
    await until('both to be idle', async () => a.held === 0 && b.held === 0);
    expect(await readStats(admin, keys)).toEqual({ events: 1000, malformedLines: 1 });
    expect(a.streamTotals.acked + b.streamTotals.acked).toBe(entries);
    expect(await admin.hget(keys.words, 'x')).toBe('1000');
  });
});
