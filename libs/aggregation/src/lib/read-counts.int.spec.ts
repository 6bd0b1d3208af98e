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
import { readCounts, readStats } from './read-counts';

describeWithRedis('readCounts and readStats (real Redis)', () => {
  const prefix = uniqueTestPrefix('read-counts');
  const keys = keyLayout(prefix);
  let redis: Redis;

  beforeAll(async () => {
    redis = createTestRedis();
    const agg = new BatchAggregator();
    agg.addEvent('foo');
    const words = { b: 2, a: 2, z: 5, '42': 1, ['__proto__']: 3 };
    for (const [word, n] of Object.entries(words)) for (let i = 0; i < n; i++) agg.addWord(word);
    await commitBatch(redis, keys, agg.take(), { ingestId: 'x', seq: 1 }, { retentionSeconds: 60 });
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('returns every entry in SPEC order', async () => {
    expect(await readCounts(redis, keys, 'words')).toEqual([
      ['z', 5],
      ['__proto__', 3],
      ['a', 2],
      ['b', 2],
      ['42', 1],
    ]);
  });

  it('returns only the top entries when asked', async () => {
    expect(await readCounts(redis, keys, 'words', { span: 'all', top: 2 })).toEqual([
      ['z', 5],
      ['__proto__', 3],
    ]);
  });

  it('returns nothing for a store that was never written', async () => {
    expect(await readCounts(redis, keyLayout(uniqueTestPrefix('empty')), 'types')).toEqual([]);
    expect(
      await readCounts(redis, keyLayout(uniqueTestPrefix('empty')), 'words', {
        span: 'all',
        top: 3,
      }),
    ).toEqual([]);
    expect(await readStats(redis, keyLayout(uniqueTestPrefix('empty')))).toEqual({
      events: 0,
      malformedLines: 0,
    });
  });
});
