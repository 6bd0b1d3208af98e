import type { Redis } from 'ioredis';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  uniqueTestPrefix,
} from '../testing';
import { BatchAggregator } from './batch';
import { commitBatch } from './commit-batch';
import { keyLayout } from './keys';
import { MAX_RATE_SECONDS, readEventsPerSecond } from './read-rates';

describeWithRedis('readEventsPerSecond (real Redis)', () => {
  const prefix = uniqueTestPrefix('read-rates');
  const keys = keyLayout(prefix);
  const now = Math.floor(Date.now() / 1000);
  let redis: Redis;

  beforeAll(async () => {
    redis = createTestRedis();
    // Two batches, so that one second's counts come from both (summed in Redis).
    const first = new BatchAggregator();
    for (let i = 0; i < 3; i++) first.addEvent('click', now - 10);
    first.addEvent('view', now - 10);
    first.addEvent('view', now - 8);
    for (let i = 0; i < 7; i++) first.addEvent('purchase', now - 3);
    first.addEvent('click'); // totals only: no timestamp second
    first.addWord('lorem');
    await commitBatch(
      redis,
      keys,
      first.take(),
      { ingestId: 'r', seq: 1 },
      { retentionSeconds: 3600 },
    );
    const second = new BatchAggregator();
    second.addEvent('click', now - 10);
    second.addEvent('🚀', now - 8);
    second.addEvent('click', now - 20); // outside the ranges read below
    second.addEvent('click', now);
    await commitBatch(
      redis,
      keys,
      second.take(),
      { ingestId: 'r', seq: 2 },
      { retentionSeconds: 3600 },
    );
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('counts the events of each second, 0 for a second with none', async () => {
    expect(await readEventsPerSecond(redis, keys, now - 10, now)).toEqual([
      5, 0, 2, 0, 0, 0, 0, 7, 0, 0, 1,
    ]);
  });

  it('ignores the seconds outside the range', async () => {
    expect(await readEventsPerSecond(redis, keys, now - 9, now - 1)).toEqual([
      0, 2, 0, 0, 0, 0, 7, 0, 0,
    ]);
    expect(await readEventsPerSecond(redis, keys, now - 3, now - 3)).toEqual([7]);
    expect(await readEventsPerSecond(redis, keys, now + 1, now + 5)).toEqual([0, 0, 0, 0, 0]);
  });

  it('reads a 300-second series in one call', async () => {
    const series = await readEventsPerSecond(redis, keys, now - 299, now);
    expect(series).toHaveLength(300);
    expect(series[299 - 20]).toBe(1);
    expect(series[299 - 10]).toBe(5);
    expect(series.reduce((a, b) => a + b, 0)).toBe(16);
  });

  it('returns zeros for a store that was never written', async () => {
    expect(
      await readEventsPerSecond(redis, keyLayout(uniqueTestPrefix('empty')), now - 2, now),
    ).toEqual([0, 0, 0]);
  });

  it('rejects a reversed, fractional or too long range', async () => {
    await expect(readEventsPerSecond(redis, keys, now, now - 1)).rejects.toThrow(RangeError);
    await expect(readEventsPerSecond(redis, keys, now - 1.5, now)).rejects.toThrow(RangeError);
    await expect(readEventsPerSecond(redis, keys, now - MAX_RATE_SECONDS, now)).rejects.toThrow(
      RangeError,
    );
  });
});
