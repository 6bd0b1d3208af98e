import type { Redis } from 'ioredis';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  keysWithPrefix,
  uniqueTestPrefix,
} from '../testing';
import { BatchAggregator } from './batch';
import { commitBatch } from './commit-batch';
import { BatchRejectedError } from './errors';
import { keyLayout } from './keys';
import { readCounts, readStats } from './read-counts';

describeWithRedis('commitBatch (real Redis)', () => {
  const prefix = uniqueTestPrefix('commit-batch');
  const keys = keyLayout(prefix);
  const W = { retentionSeconds: 3600 };
  let redis: Redis;

  beforeAll(() => {
    redis = createTestRedis();
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  function batchOf(types: string[], words: string[], malformed = 0) {
    const agg = new BatchAggregator();
    for (const t of types) agg.addEvent(t);
    for (const w of words) agg.addWord(w);
    agg.addMalformed(malformed);
    return agg.take();
  }

  it('adds every count of a batch and the totals', async () => {
    const outcome = await commitBatch(
      redis,
      keys,
      batchOf(['foo', 'foo', 'bar'], ['lorem', 'ipsum', 'lorem'], 2),
      { ingestId: 'a', seq: 1 },
      W,
    );
    expect(outcome).toBe('applied');
    expect(await redis.hgetall(keys.types)).toEqual({ foo: '2', bar: '1' });
    expect(await redis.hgetall(keys.words)).toEqual({ lorem: '2', ipsum: '1' });
    expect(await readStats(redis, keys)).toEqual({ events: 3, malformedLines: 2 });
  });

  it('applies a replayed batch (same ingest, same seq) only once', async () => {
    const batch = batchOf(['foo'], ['x']);
    expect(await commitBatch(redis, keys, batch, { ingestId: 'a', seq: 1 }, W)).toBe('applied');
    expect(await commitBatch(redis, keys, batch, { ingestId: 'a', seq: 1 }, W)).toBe('duplicate');
    expect(await readStats(redis, keys)).toEqual({ events: 1, malformedLines: 0 });
    expect(await commitBatch(redis, keys, batch, { ingestId: 'a', seq: 2 }, W)).toBe('applied');
    expect(await readStats(redis, keys)).toEqual({ events: 2, malformedLines: 0 });
  });

  it('treats an older sequence as already applied', async () => {
    const batch = batchOf(['foo'], []);
    await commitBatch(redis, keys, batch, { ingestId: 'a', seq: 5 }, W);
    expect(await commitBatch(redis, keys, batch, { ingestId: 'a', seq: 3 }, W)).toBe('duplicate');
  });

  it('keeps the sequences of two ingests apart', async () => {
    const batch = batchOf(['foo'], []);
    expect(await commitBatch(redis, keys, batch, { ingestId: 'a', seq: 1 }, W)).toBe('applied');
    expect(await commitBatch(redis, keys, batch, { ingestId: 'b', seq: 1 }, W)).toBe('applied');
    expect((await readCounts(redis, keys, 'types'))[0]).toEqual(['foo', 2]);
  });

  it('sets an expiry on the sequence key', async () => {
    await commitBatch(redis, keys, batchOf(['foo'], []), { ingestId: 'a', seq: 1 }, W, 120);
    const ttl = await redis.ttl(keys.appliedSeq('a'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(120);
  });

  it('round-trips keys that are __proto__, emoji, quotes and backslashes', async () => {
    const odd = ['__proto__', 'constructor', 'toString', '😀', '"quoted"', 'back\\slash', '42', ''];
    await commitBatch(redis, keys, batchOf(odd.filter(Boolean), odd), { ingestId: 'a', seq: 1 }, W);
    const types = await readCounts(redis, keys, 'types');
    const words = await readCounts(redis, keys, 'words');
    expect(new Map(types)).toEqual(new Map(odd.filter(Boolean).map((k) => [k, 1])));
    expect(new Map(words)).toEqual(new Map(odd.map((k) => [k, 1])));
  });

  it('writes nothing and reports ERR_COUNT_KEY_WRONG_TYPE when a count key is not a hash', async () => {
    await redis.set(keys.words, 'not a hash');
    const attempt = commitBatch(
      redis,
      keys,
      batchOf(['foo'], ['x'], 1),
      { ingestId: 'a', seq: 1 },
      W,
    );
    await expect(attempt).rejects.toBeInstanceOf(BatchRejectedError);
    await expect(attempt).rejects.toMatchObject({ code: 'ERR_COUNT_KEY_WRONG_TYPE' });
    expect(await redis.exists(keys.types, keys.stats, keys.appliedSeq('a'), keys.rank.types)).toBe(
      0,
    );
  });

  it('writes nothing and reports ERR_SEQ_KEY_CORRUPT when the sequence key is not a number', async () => {
    await redis.set(keys.appliedSeq('a'), 'garbage');
    const attempt = commitBatch(redis, keys, batchOf(['foo'], []), { ingestId: 'a', seq: 1 }, W);
    await expect(attempt).rejects.toMatchObject({ code: 'ERR_SEQ_KEY_CORRUPT' });
    expect(await redis.exists(keys.types, keys.stats)).toBe(0);
  });

  it('rejects a sequence number below 1 before talking to Redis', async () => {
    await expect(
      commitBatch(redis, keys, batchOf(['foo'], []), { ingestId: 'a', seq: 0 }, W),
    ).rejects.toThrow(RangeError);
  });

  it('applies a batch of 50,000 distinct words in one call', async () => {
    const words = Array.from({ length: 50_000 }, (_, i) => `w${i}`);
    await commitBatch(redis, keys, batchOf(['foo'], words), { ingestId: 'a', seq: 1 }, W);
    expect(await redis.hlen(keys.words)).toBe(50_000);
  });

  it('writes only keys under its prefix', async () => {
    await commitBatch(redis, keys, batchOf(['foo'], ['x'], 1), { ingestId: 'a', seq: 1 }, W);
    expect(await keysWithPrefix(redis, prefix)).toEqual(
      [
        keys.appliedSeq('a'),
        keys.stats,
        keys.types,
        keys.words,
        keys.rank.types,
        keys.rank.words,
        keys.generation,
      ].sort(),
    );
  });
});
