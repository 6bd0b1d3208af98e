import { keyLayout, WriterLease } from '@tally/aggregation';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import type { Redis } from 'ioredis';
import { OutputClosedError } from '../output-closed';
import { createProducerRedis, StreamSink } from './stream-sink';

describeWithRedis('StreamSink close and restart (real Redis)', () => {
  const prefix = uniqueTestPrefix('stream-sink-close');
  const keys = keyLayout(prefix);
  let admin: Redis;
  const clients: Redis[] = [];

  async function sink(producerId: string, entryLines = 1000) {
    const redis = createProducerRedis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    clients.push(redis);
    await new Promise((resolve) => redis.once('ready', resolve));
    const lease = await WriterLease.acquire(redis, keys, 'producer', producerId, {
      leaseMs: 60_000,
    });
    return {
      lease,
      sink: new StreamSink(redis, keys, { producerId, lease, entryLines, maxLength: 1000 }),
    };
  }
  const entries = async () =>
    (await admin.xrange(keys.stream, '-', '+')).map(([, fields]) => fields[1]);

  beforeAll(() => {
    admin = createTestRedis();
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(admin, prefix);
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await admin.quit();
  });

  it('appends on close what was written before it, and refuses writes after it', async () => {
    const { sink: s } = await sink('closing');
    const before = s.write(['{"a":1}', '{"a":2}']);
    const closed = s.close();
    await expect(s.write(['{"late":1}'])).rejects.toBeInstanceOf(OutputClosedError);
    await before;
    await closed;
    expect(s.close()).toBe(closed);
    expect(await entries()).toEqual(['{"a":1}\n{"a":2}']);
  });

  it('goes on from the entry sequence of its id after a restart, so nothing is taken for a duplicate', async () => {
    const first = await sink('fixed', 1);
    await first.sink.write(['one']);
    await first.sink.write(['two']);
    await first.sink.close();
    await first.lease.release();
    const second = await sink('fixed', 1);
    expect(second.lease.lastSeq).toBe(2);
    await second.sink.write(['three']);
    await second.sink.close();
    expect(await entries()).toEqual(['one', 'two', 'three']);
  });
});
