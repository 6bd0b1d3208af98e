import type { Redis } from 'ioredis';
import {
  createTestRedis,
  describeWithRedis,
  keysWithPrefix,
  type OwnRedisServer,
  startOwnRedisServer,
  uniqueTestPrefix,
} from '../testing';
import { BatchAggregator } from './batch';
import { commitBatch } from './commit-batch';
import { keyLayout } from './keys';
import { readCounts, readStats } from './read-counts';
import { redisFailureReason } from './redis-failure';

/**
 * What a Redis at its `maxmemory` with `maxmemory-policy noeviction` (the setting the README
 * recommends) does to the writes: Redis refuses the first write command of a script that
 * starts while memory is full, and apply-batch.lua does all its checks before its first write,
 * so the batch is refused whole (nothing written) and the same batch, retried once memory is
 * free, is applied exactly once. The ingest's commit loop retries every such error.
 * A server of the test's own: CONFIG SET on the shared one would hit other suites.
 */
describeWithRedis('writes on a Redis out of memory (noeviction)', () => {
  const W = { retentionSeconds: 3600 };
  let server: OwnRedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await startOwnRedisServer();
    redis = createTestRedis(server.url);
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
  });
  afterAll(async () => {
    await redis.quit();
    await server.dispose();
  });

  /** 1 byte: any dataset is over it, so Redis is out of memory until it is set back to 0. */
  const setMaxMemory = (bytes: number) => redis.config('SET', 'maxmemory', String(bytes));

  function windowedBatch(nowSeconds: number) {
    const agg = new BatchAggregator();
    agg.addEvent('foo', nowSeconds);
    agg.addWord('lorem');
    agg.addWord('ipsum');
    agg.addEvent('bar', nowSeconds - 1);
    agg.addWord('lorem');
    return agg.take();
  }

  it('refuses a batch whole while memory is full, and applies it once when memory is free', async () => {
    const keys = keyLayout(uniqueTestPrefix('oom'));
    const now = Math.floor(Date.now() / 1000);
    const batch = windowedBatch(now);
    const stamp = { ingestId: 'oom', seq: 1 };
    await setMaxMemory(1);
    const refused = await commitBatch(redis, keys, batch, stamp, W).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/\bOOM\b/);
    // Redis cannot serve now: the api answers 503, the ingest holds its counts and retries.
    expect(redisFailureReason(refused)).toBe('server answered OOM');
    expect(await keysWithPrefix(redis, keys.prefix)).toEqual([]);

    await setMaxMemory(0);
    expect(await commitBatch(redis, keys, batch, stamp, W)).toBe('applied');
    expect(await commitBatch(redis, keys, batch, stamp, W)).toBe('duplicate');
    expect(await readStats(redis, keys)).toEqual({ events: 2, malformedLines: 0 });
    const window = { span: 'window', seconds: 60, nowSeconds: now } as const;
    expect(await readCounts(redis, keys, 'words', window, W)).toEqual([
      ['lorem', 2],
      ['ipsum', 1],
    ]);
  });

  it('still answers all-time reads while memory is full; window reads that must write do not', async () => {
    const keys = keyLayout(uniqueTestPrefix('oom'));
    const now = Math.floor(Date.now() / 1000);
    expect(await commitBatch(redis, keys, windowedBatch(now), { ingestId: 'oom', seq: 1 }, W)).toBe(
      'applied',
    );
    await setMaxMemory(1);
    try {
      expect(await readCounts(redis, keys, 'words')).toEqual([
        ['lorem', 2],
        ['ipsum', 1],
      ]);
      expect(await readCounts(redis, keys, 'words', { span: 'all', top: 1 })).toEqual([
        ['lorem', 2],
      ]);
      // window=600 covers coarse buckets not sealed yet: rolling them up is a write.
      const window = { span: 'window', seconds: 600, nowSeconds: now } as const;
      await expect(readCounts(redis, keys, 'words', window, W)).rejects.toThrow(/\bOOM\b/);
    } finally {
      await setMaxMemory(0);
    }
  });
});
