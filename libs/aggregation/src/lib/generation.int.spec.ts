import type { Redis } from 'ioredis';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  uniqueTestPrefix,
} from '../testing';
import { BatchAggregator } from './batch';
import { commitBatch } from './commit-batch';
import { readGeneration } from './generation';
import { keyLayout } from './keys';

describeWithRedis('readGeneration (real Redis)', () => {
  const prefix = uniqueTestPrefix('generation');
  const keys = keyLayout(prefix);
  let redis: Redis;

  beforeAll(() => {
    redis = createTestRedis();
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('is 0 before the first batch and grows by one per applied batch, not per replay', async () => {
    expect(await readGeneration(redis, keys)).toBe(0);
    const commit = async (seq: number) => {
      const agg = new BatchAggregator();
      agg.addEvent('foo');
      agg.addWord('lorem');
      await commitBatch(redis, keys, agg.take(), { ingestId: 'g', seq }, { retentionSeconds: 60 });
    };
    await commit(1);
    expect(await readGeneration(redis, keys)).toBe(1);
    await commit(1); // a replay: nothing applied
    expect(await readGeneration(redis, keys)).toBe(1);
    await commit(2);
    expect(await readGeneration(redis, keys)).toBe(2);
  });

  it('refuses a key that holds no generation', async () => {
    const broken = keyLayout(`${prefix}-broken`);
    try {
      await redis.set(broken.generation, 'nope');
      await expect(readGeneration(redis, broken)).rejects.toThrow('not a generation');
    } finally {
      await redis.del(broken.generation);
    }
  });
});
