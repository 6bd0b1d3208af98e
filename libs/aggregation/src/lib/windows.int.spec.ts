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
import { keyLayout } from './keys';
import { type CountEntry, compareEntries } from './ranking';
import { readCounts } from './read-counts';
import { RollUpQueue, rollUpBuckets } from './roll-up';
import { bucketStart, isWindowed } from './windows';

interface TestEvent {
  type: string;
  words: string[];
  t: number;
}

/** The straightforward answer: count the events whose second is in the window. */
function reference(
  events: TestEvent[],
  kind: 'types' | 'words',
  ingestNow: number,
  retention: number,
  now: number,
  window: number,
  top?: number,
): CountEntry[] {
  const counts = new Map<string, number>();
  for (const e of events) {
    if (!isWindowed(e.t, ingestNow, retention)) continue;
    if (e.t < now - window + 1 || e.t > now) continue;
    for (const key of kind === 'types' ? [e.type] : e.words)
      counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const sorted = [...counts].sort(compareEntries);
  return top === undefined ? sorted : sorted.slice(0, top);
}

/** A small seeded generator: integers in [0, n). */
function seeded(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

describeWithRedis('windowed counts (real Redis)', () => {
  const prefix = uniqueTestPrefix('windows');
  const keys = keyLayout(prefix);
  let redis: Redis;
  let seq = 0;

  async function ingest(events: TestEvent[], ingestNow: number, retentionSeconds: number) {
    const agg = new BatchAggregator();
    for (const e of events) {
      agg.addEvent(e.type, isWindowed(e.t, ingestNow, retentionSeconds) ? e.t : undefined);
      for (const w of e.words) agg.addWord(w);
    }
    await commitBatch(
      redis,
      keys,
      agg.take(),
      { ingestId: 'windows-test', seq: ++seq },
      { retentionSeconds },
    );
  }

  /** `count` random window queries (either kind, with or without top) against the reference. */
  async function expectRandomQueries(
    rand: (n: number) => number,
    written: TestEvent[],
    count: number,
    maxTop: number,
  ) {
    for (let q = 0; q < count; q++) {
      const window = 1 + rand(R);
      const top = rand(2) === 0 ? undefined : 1 + rand(maxTop);
      const kind = rand(2) === 0 ? 'types' : 'words';
      const got = await readCounts(
        redis,
        keys,
        kind,
        { span: 'window', seconds: window, top, nowSeconds: now },
        { retentionSeconds: R },
      );
      expect(got).toEqual(reference(written, kind, now, R, now, window, top));
    }
  }

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

  // A fixed, realistic clock: the buckets are real keys with real expiry times around it.
  const now = Math.floor(Date.now() / 1000);
  const R = 3600;
  const events: TestEvent[] = [
    { type: 'now', words: ['a', 'shared'], t: now },
    { type: 'now-30', words: ['b', 'shared'], t: now - 30 },
    { type: 'now-59', words: ['c', 'shared'], t: now - 59 },
    { type: 'now-60', words: ['d', 'shared'], t: now - 60 },
    { type: 'now-600', words: ['e', 'shared'], t: now - 600 },
    { type: 'now-4000', words: ['f', 'shared'], t: now - 4000 },
    { type: 'now+5', words: ['g', 'shared'], t: now + 5 },
  ];

  it.each([1, 30, 31, 59, 60, 61, 600, 601, 3600])(
    'counts exactly the events of the last %i seconds',
    async (window) => {
      await ingest(events, now, R);
      for (const kind of ['types', 'words'] as const) {
        const got = await readCounts(
          redis,
          keys,
          kind,
          { span: 'window', seconds: window, nowSeconds: now },
          { retentionSeconds: R },
        );
        expect(got).toEqual(reference(events, kind, now, R, now, window));
      }
    },
  );

  it('counts an event 4000 s old in the totals only', async () => {
    await ingest(events, now, R);
    const all = await readCounts(redis, keys, 'types');
    expect(all.map(([k]) => k)).toContain('now-4000');
    const hour = await readCounts(
      redis,
      keys,
      'types',
      { span: 'window', seconds: 3600, nowSeconds: now },
      { retentionSeconds: R },
    );
    expect(hour.map(([k]) => k)).not.toContain('now-4000');
  });

  it('shows an event 5 s in the future once its second comes', async () => {
    await ingest(events, now, R);
    const read = (at: number) =>
      readCounts(
        redis,
        keys,
        'types',
        { span: 'window', seconds: 10, nowSeconds: at },
        { retentionSeconds: R },
      );
    expect((await read(now)).map(([k]) => k)).not.toContain('now+5');
    expect((await read(now + 5)).map(([k]) => k)).toContain('now+5');
  });

  it('returns the top K of a window like a full sort would, ties by code units (emoji vs U+FFFF)', async () => {
    const many: TestEvent[] = [];
    const words = ['\uffff', '😀', 'z', 'a', 'ａ', '𝒜', 'mid'];
    for (let i = 0; i < 200; i++) {
      many.push({
        type: words[i % words.length],
        words: [words[(i * 3) % words.length]],
        t: now - (i % 700),
      });
    }
    await ingest(many, now, R);
    for (const window of [1, 60, 600, 3600]) {
      for (const top of [1, 2, 3, 5, 10]) {
        for (const kind of ['types', 'words'] as const) {
          const got = await readCounts(
            redis,
            keys,
            kind,
            { span: 'window', seconds: window, top, nowSeconds: now },
            { retentionSeconds: R },
          );
          expect(got).toEqual(reference(many, kind, now, R, now, window, top));
        }
      }
    }
    // All time too (from the rank sorted sets).
    for (const top of [1, 2, 4, 7]) {
      const got = await readCounts(redis, keys, 'types', { span: 'all', top });
      expect(got).toEqual(reference(many, 'types', now, 10 ** 9, now, 10 ** 9, top));
    }
  });

  it('agrees with the reference for random streams, windows and tops', async () => {
    const rand = seeded(42);
    const vocabulary = ['foo', 'bar', 'baz', '__proto__', 'x', 'y', 'émoji😀', '42'];
    const stream: TestEvent[] = [];
    for (let i = 0; i < 2000; i++) {
      stream.push({
        type: vocabulary[rand(4)],
        words: [vocabulary[rand(8)], vocabulary[rand(8)]],
        t: now - rand(4200) + 400,
      });
    }
    // Several batches, as the ingest would write them.
    for (let i = 0; i < stream.length; i += 500) await ingest(stream.slice(i, i + 500), now, R);
    await expectRandomQueries(rand, stream, 40, 6);
  });

  it('stays exact while buckets are rolled up between batches and late events land in sealed ones', async () => {
    const rand = seeded(7);
    const vocabulary = ['foo', 'bar', 'baz', '__proto__', 'x', 'émoji😀', '42', 'z'];
    const W = { retentionSeconds: R };
    const queue = new RollUpQueue(W, 0);
    const written: TestEvent[] = [];
    // Twelve rounds: a batch of events mostly near the round's "now", some late (up to 1000 s
    // behind, into buckets sealed in earlier rounds); then the ingest-style roll-up of what
    // has closed, and some reads, each checked against the straightforward count.
    for (let round = 0; round < 12; round++) {
      const roundNow = now - 1100 + round * 100;
      const batch: TestEvent[] = [];
      for (let i = 0; i < 150; i++) {
        const late = rand(4) === 0;
        batch.push({
          type: vocabulary[rand(3)],
          words: [vocabulary[rand(8)], vocabulary[rand(8)]],
          t: roundNow - (late ? rand(1000) : rand(20)),
        });
      }
      await ingest(batch, now, R);
      written.push(...batch);
      queue.note(batch.map((e) => e.t).sort((a, b) => a - b));
      await rollUpBuckets(redis, keys, queue.takeClosed(roundNow), W, now);
      await expectRandomQueries(rand, written, 4, 5);
    }
    // Buckets were sealed along the way, so the later rounds wrote late events into them too.
    const sealed = (await keysWithPrefix(redis, prefix)).filter((k) => k.endsWith(':sealed'));
    expect(sealed.length).toBeGreaterThan(0);
  });

  it('adds a late event to a sealed bucket and to its one-second bucket, once each', async () => {
    const W = { retentionSeconds: R };
    const t = bucketStart(now - 100, 16) + 5;
    const start = bucketStart(t, 16);
    await ingest([{ type: 'early', words: ['w'], t }], now, R);
    // Not sealed yet: the coarse bucket is not written at all.
    expect(await redis.exists(keys.bucket('types', 16, start))).toBe(0);
    expect(await rollUpBuckets(redis, keys, [{ size: 16, start }], W, now)).toBe(1 + 4); // and its 4-s children
    expect(await redis.zscore(keys.bucket('types', 16, start), 'early')).toBe('1');
    expect(await rollUpBuckets(redis, keys, [{ size: 16, start }], W, now)).toBe(0); // sealed
    await ingest([{ type: 'early', words: ['w'], t }], now, R);
    expect(await redis.zscore(keys.bucket('types', 16, start), 'early')).toBe('2');
    expect(await redis.zscore(keys.bucket('types', 1, t), 'early')).toBe('2');
    // The seal and the set expire together, at the end of the bucket's retention.
    const expireAt = (start + 16 + R) * 1000;
    for (const key of [keys.bucketSeal(16, start), keys.bucket('words', 16, start)]) {
      expect(await redis.pexpiretime(key)).toBe(expireAt);
    }
  });

  it('seals an empty bucket without a set, so it is not summed again', async () => {
    const W = { retentionSeconds: R };
    const start = bucketStart(now - 2000, 64);
    expect(await rollUpBuckets(redis, keys, [{ size: 64, start }], W, now)).toBe(1 + 4 + 16);
    expect(await redis.exists(keys.bucketSeal(64, start))).toBe(1);
    expect(await redis.exists(keys.bucket('types', 64, start))).toBe(0);
    expect(await rollUpBuckets(redis, keys, [{ size: 64, start }], W, now)).toBe(0);
    // A bucket already expired by `now` is left alone.
    const old = bucketStart(now - 2 * R, 64);
    expect(await rollUpBuckets(redis, keys, [{ size: 64, start: old }], W, now)).toBe(0);
  });

  it('rolls up, on a read, the coarse buckets the window needs', async () => {
    const W = { retentionSeconds: R };
    await ingest([{ type: 'a', words: ['w'], t: now - 1000 }], now, R);
    const before = (await keysWithPrefix(redis, prefix)).filter((k) => k.endsWith(':sealed'));
    expect(before).toEqual([]);
    const got = await readCounts(
      redis,
      keys,
      'types',
      { span: 'window', seconds: 3600, nowSeconds: now },
      W,
    );
    expect(got).toEqual([['a', 1]]);
    const after = (await keysWithPrefix(redis, prefix)).filter((k) => k.endsWith(':sealed'));
    expect(after.length).toBeGreaterThan(0);
  });

  it('gives every bucket key an expiry at the end of its retention, and Redis really deletes it', async () => {
    const retention = 2; // ladder [1]: one-second buckets living 1 + 2 s past their second
    const at = Math.floor(Date.now() / 1000);
    await ingest([{ type: 'soon-gone', words: ['w'], t: at }], at, retention);
    const bucketKeys = (await keysWithPrefix(redis, prefix)).filter((k) => k.includes(':w:'));
    expect(bucketKeys).toEqual([keys.bucket('types', 1, at), keys.bucket('words', 1, at)].sort());
    for (const key of bucketKeys) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual((at + 1 + retention) * 1000 - Date.now() + 1000);
    }
    const deadline = Date.now() + 10_000;
    while ((await redis.exists(...bucketKeys)) > 0) {
      if (Date.now() > deadline) throw new Error('bucket keys were not expired');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The all-time counts stay.
    expect(await readCounts(redis, keys, 'types')).toEqual([['soon-gone', 1]]);
  });

  it('refuses a window larger than the retention', async () => {
    await expect(
      readCounts(
        redis,
        keys,
        'types',
        { span: 'window', seconds: 3601, nowSeconds: now },
        { retentionSeconds: R },
      ),
    ).rejects.toThrow(RangeError);
  });

  it('reuses the union of a window for an identical top query, but never after a new batch', async () => {
    const query = { span: 'window', seconds: 600, nowSeconds: now, top: 2 } as const;
    const W = { retentionSeconds: R };
    await ingest([{ type: 'a', words: [], t: now - 1 }], now, R);
    expect(await readCounts(redis, keys, 'types', query, W)).toEqual([['a', 1]]);
    const cached = (await keysWithPrefix(redis, prefix)).filter((k) => k.includes(':tmp:union:'));
    expect(cached.length).toBeGreaterThan(0);
    expect(await readCounts(redis, keys, 'types', query, W)).toEqual([['a', 1]]);
    await ingest(
      [
        { type: 'b', words: [], t: now - 2 },
        { type: 'b', words: [], t: now - 3 },
      ],
      now,
      R,
    );
    expect(await readCounts(redis, keys, 'types', query, W)).toEqual([
      ['b', 2],
      ['a', 1],
    ]);
  });
});
