import type { Redis } from 'ioredis';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  uniqueTestPrefix,
} from '../testing';
import { BatchAggregator } from './batch';
import { keyLayout, STREAM_GROUP } from './keys';
import { readMalformed } from './malformed';
import { readStats } from './read-counts';
import {
  appendStreamEntry,
  claimIdleEntries,
  commitStreamBatch,
  ensureStreamGroup,
  readNewEntries,
  stillPending,
  trimStream,
} from './stream';

describeWithRedis('stream transport scripts (real Redis)', () => {
  const prefix = uniqueTestPrefix('stream');
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

  function batchOf(events: number, types: string[]) {
    const agg = new BatchAggregator();
    for (let i = 0; i < events; i++) agg.addEvent(types[i % types.length]);
    return agg.take();
  }

  async function appendN(n: number, producer = 'p'): Promise<void> {
    for (let seq = 1; seq <= n; seq++) {
      await appendStreamEntry(redis, keys, producer, seq, Buffer.from(`line ${seq}`), 1000);
    }
  }

  it('appends an entry once per producer sequence and keeps its bytes', async () => {
    const bytes = Buffer.from([0x7b, 0xff, 0x0a, 0x41]);
    expect(await appendStreamEntry(redis, keys, 'p', 1, bytes, 10)).toBe('appended');
    expect(await appendStreamEntry(redis, keys, 'p', 1, bytes, 10)).toBe('duplicate');
    expect(await redis.xlen(keys.stream)).toBe(1);
    await ensureStreamGroup(redis, keys);
    await ensureStreamGroup(redis, keys); // BUSYGROUP is fine
    const [entry] = await readNewEntries(redis, keys, 'c1', 10, 10);
    expect(entry.lines.equals(bytes)).toBe(true);
  });

  it('refuses to append while the stream holds its bound, then appends once there is room', async () => {
    await appendN(3);
    expect(await appendStreamEntry(redis, keys, 'p', 4, Buffer.from('x'), 3)).toBe('full');
    expect(await redis.xlen(keys.stream)).toBe(3);
    await ensureStreamGroup(redis, keys);
    const entries = await readNewEntries(redis, keys, 'c1', 3, 10);
    await commitStreamBatch(
      redis,
      keys,
      batchOf(3, ['a']),
      { ingestId: 'c1', seq: 1 },
      W,
      entries.map((e) => e.id),
    );
    expect((await trimStream(redis, keys)).length).toBe(0);
    expect(await appendStreamEntry(redis, keys, 'p', 4, Buffer.from('x'), 3)).toBe('appended');
  });

  it('counts and acks the entries of a batch in one step, and a replay changes nothing', async () => {
    await appendN(2);
    await ensureStreamGroup(redis, keys);
    const ids = (await readNewEntries(redis, keys, 'c1', 10, 10)).map((e) => e.id);
    const batch = batchOf(2, ['__proto__', '🎉']);
    const stamp = { ingestId: 'c1', seq: 1 };
    expect(await commitStreamBatch(redis, keys, batch, stamp, W, ids)).toBe('applied');
    expect((await stillPending(redis, keys, ids)).size).toBe(0);
    expect(await commitStreamBatch(redis, keys, batch, stamp, W, ids)).toBe('duplicate');
    // A later stamp with entries someone already counted: not pending any more.
    expect(await commitStreamBatch(redis, keys, batch, { ingestId: 'c1', seq: 2 }, W, ids)).toBe(
      'stale',
    );
    expect(await redis.hmget(keys.types, '__proto__', '🎉')).toEqual(['1', '1']);
    expect(await readStats(redis, keys)).toEqual({ events: 2, malformedLines: 0 });
  });

  it("keeps a reclaimed entry's malformed sample once: the stale consumer writes none", async () => {
    await appendN(1);
    await ensureStreamGroup(redis, keys);
    const [first] = await readNewEntries(redis, keys, 'c1', 10, 10);
    const [claimed] = await claimIdleEntries(redis, keys, 'c2', 0, 10);
    const withGarbage = () => {
      const agg = new BatchAggregator();
      agg.addMalformedLine('invalid-json', Buffer.from('{ "Cu*S'), 7, 0);
      return agg.take();
    };
    const c2 = { ingestId: 'c2', seq: 1 };
    expect(await commitStreamBatch(redis, keys, withGarbage(), c2, W, [claimed.id])).toBe(
      'applied',
    );
    const c1 = { ingestId: 'c1', seq: 1 };
    expect(await commitStreamBatch(redis, keys, withGarbage(), c1, W, [first.id])).toBe('stale');
    const report = await readMalformed(redis, keys);
    expect(report.byReason).toEqual([['invalid-json', 1]]);
    expect(report.recent).toHaveLength(1);
  });

  it('counts an entry reclaimed by a second consumer once, whoever commits first', async () => {
    await appendN(1);
    await ensureStreamGroup(redis, keys);
    const [first] = await readNewEntries(redis, keys, 'c1', 10, 10);
    const [claimed] = await claimIdleEntries(redis, keys, 'c2', 0, 10);
    expect(claimed.id).toBe(first.id);
    const b = batchOf(1, ['x']);
    expect(
      await commitStreamBatch(redis, keys, b, { ingestId: 'c2', seq: 1 }, W, [claimed.id]),
    ).toBe('applied');
    expect(await commitStreamBatch(redis, keys, b, { ingestId: 'c1', seq: 1 }, W, [first.id])).toBe(
      'stale',
    );
    expect((await stillPending(redis, keys, [first.id])).size).toBe(0);
    expect(await readStats(redis, keys)).toEqual({ events: 1, malformedLines: 0 });
  });

  it('writes nothing and says stale when only some entries are still pending', async () => {
    await appendN(2);
    await ensureStreamGroup(redis, keys);
    const ids = (await readNewEntries(redis, keys, 'c1', 10, 10)).map((e) => e.id);
    await redis.xack(keys.stream, STREAM_GROUP, ids[0]);
    const b = batchOf(2, ['x']);
    expect(await commitStreamBatch(redis, keys, b, { ingestId: 'c1', seq: 1 }, W, ids)).toBe(
      'stale',
    );
    expect(await readStats(redis, keys)).toEqual({ events: 0, malformedLines: 0 });
    expect([...(await stillPending(redis, keys, ids))]).toEqual([ids[1]]);
    expect(
      await commitStreamBatch(redis, keys, batchOf(1, ['x']), { ingestId: 'c1', seq: 1 }, W, [
        ids[1],
      ]),
    ).toBe('applied');
    expect(await readStats(redis, keys)).toEqual({ events: 1, malformedLines: 0 });
  });

  it('trims only entries every group has acked and reports pending and undelivered', async () => {
    await appendN(5);
    expect((await trimStream(redis, keys)).trimmed).toBe(0); // no group yet: keep everything
    await ensureStreamGroup(redis, keys);
    const ids = (await readNewEntries(redis, keys, 'c1', 3, 10)).map((e) => e.id);
    await redis.xack(keys.stream, STREAM_GROUP, ids[0], ids[2]);
    expect(await trimStream(redis, keys)).toEqual({
      trimmed: 1,
      length: 4,
      pending: 1,
      undelivered: 2,
    });
    await redis.xack(keys.stream, STREAM_GROUP, ids[1]);
    expect(await trimStream(redis, keys)).toEqual({
      trimmed: 2,
      length: 2,
      pending: 0,
      undelivered: 2,
    });
  });
});
