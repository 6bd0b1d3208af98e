import type { Redis } from 'ioredis';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  uniqueTestPrefix,
} from '../testing';
import { BatchAggregator } from './batch';
import { commitBatch } from './commit-batch';
import { BatchRejectedError } from './errors';
import { keyLayout } from './keys';
import { MALFORMED_RECENT_MAX, type MalformedSample, readMalformed } from './malformed';
import { readStats } from './read-counts';

describeWithRedis('malformed-line reasons and samples (real Redis)', () => {
  const prefix = uniqueTestPrefix('malformed');
  const keys = keyLayout(prefix);
  const W = { retentionSeconds: 3600 };
  let redis: Redis;
  let seq = 0;

  beforeAll(() => {
    redis = createTestRedis();
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    seq = 0;
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  /** A batch of `n` malformed lines `<tag> <i>` of `reason`, plus one event. */
  function garbage(n: number, reason: string, tag: string): BatchAggregator {
    const batch = new BatchAggregator();
    batch.addEvent('ok');
    for (let i = 0; i < n; i++) {
      const line = Buffer.from(`${tag} ${i}`);
      batch.addMalformedLine(reason, line, line.length, 1_700_000_000_000 + i);
    }
    return batch;
  }
  const commit = (batch: BatchAggregator) =>
    commitBatch(redis, keys, batch.take(), { ingestId: 'a', seq: ++seq }, W);
  const texts = async () =>
    (await readMalformed(redis, keys)).recent.map((s) => (JSON.parse(s) as MalformedSample).text);

  it('stores reasons and samples with the counts, newest first', async () => {
    await commit(garbage(3, 'invalid-json', 'a'));
    await commit(garbage(2, 'invalid-utf8', 'b'));
    const report = await readMalformed(redis, keys);
    expect(report.byReason).toEqual([
      ['invalid-json', 3],
      ['invalid-utf8', 2],
    ]);
    expect(await texts()).toEqual(['b 1', 'b 0', 'a 2', 'a 1', 'a 0']);
    expect(await readStats(redis, keys)).toEqual({ events: 2, malformedLines: 5 });
  });

  it('keeps only the newest MALFORMED_RECENT_MAX samples, across and within batches', async () => {
    await commit(garbage(70, 'invalid-json', 'a'));
    await commit(garbage(70, 'invalid-json', 'b'));
    const recent = await texts();
    expect(recent).toHaveLength(MALFORMED_RECENT_MAX);
    expect(recent[0]).toBe('b 69');
    expect(recent[MALFORMED_RECENT_MAX - 1]).toBe('a 40');
    await commit(garbage(100_000, 'invalid-json', 'c'));
    expect((await texts()).slice(0, 2)).toEqual(['c 99999', 'c 99998']);
    expect(await redis.llen(keys.malformedRecent)).toBe(MALFORMED_RECENT_MAX);
    expect((await readMalformed(redis, keys)).byReason).toEqual([['invalid-json', 100_140]]);
  });

  it('adds a replayed batch (same ingest, same seq) only once', async () => {
    const batch = garbage(4, 'not-an-object', 'x').take();
    const stamp = { ingestId: 'a', seq: 1 };
    expect(await commitBatch(redis, keys, batch, stamp, W)).toBe('applied');
    expect(await commitBatch(redis, keys, batch, stamp, W)).toBe('duplicate');
    expect((await readMalformed(redis, keys)).byReason).toEqual([['not-an-object', 4]]);
    expect(await texts()).toHaveLength(4);
  });

  it('writes none of it when the batch is refused', async () => {
    await redis.set(keys.malformedRecent, 'not a list');
    const attempt = commit(garbage(2, 'invalid-json', 'x'));
    await expect(attempt).rejects.toBeInstanceOf(BatchRejectedError);
    expect(await redis.exists(keys.malformedReasons, keys.stats, keys.types)).toBe(0);
  });

  it('reads an empty report from an empty store', async () => {
    expect(await readMalformed(redis, keys)).toEqual({ byReason: [], recent: [] });
  });
});
