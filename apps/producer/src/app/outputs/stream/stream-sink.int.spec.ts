import {
  ensureStreamGroup,
  keyLayout,
  readNewEntries,
  type StreamEntry,
  WriterLease,
} from '@tally/aggregation';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  testRedisUrl,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import type { Redis } from 'ioredis';
import { createProducerRedis, STREAM_ENTRY_MAX_BYTES, StreamSink } from './stream-sink';

const MiB = 1_048_576;

/** A line of `bytes` bytes (without its `\n`), tagged so that lines are told apart. */
function line(tag: string, bytes: number): Buffer {
  return Buffer.from(tag.padEnd(bytes, 'x'));
}

function joinLines(lines: readonly Buffer[]): Buffer {
  return Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
}

describeWithRedis('StreamSink (real Redis)', () => {
  const prefix = uniqueTestPrefix('stream-sink');
  const keys = keyLayout(prefix);
  let admin: Redis;
  let sinks: StreamSink[] = [];
  /** The sinks' clients: a sink's close leaves its client to its owner (main.ts). */
  let clients: Redis[] = [];
  let leases: WriterLease[] = [];
  let producers = 0;

  async function sink(entryLines = 1000): Promise<StreamSink> {
    const redis = createProducerRedis(testRedisUrl());
    clients.push(redis);
    const producerId = `p${++producers}`;
    const lease = await WriterLease.acquire(redis, keys, 'producer', producerId, {
      leaseMs: 60_000,
    });
    leases.push(lease);
    const made = new StreamSink(redis, keys, {
      producerId,
      lease,
      entryLines,
      maxLength: 100_000,
      lingerMs: 60_000, // nothing is appended by the timer: every entry here is cut by size or count
    });
    sinks.push(made);
    return made;
  }

  /** Every entry of the stream, in order. */
  async function entries(): Promise<StreamEntry[]> {
    await ensureStreamGroup(admin, keys);
    const all: StreamEntry[] = [];
    for (;;) {
      const got = await readNewEntries(admin, keys, 'test', 1000, 10);
      if (got.length === 0) return all;
      all.push(...got);
    }
  }

  /** The lines of an entry, each with its `\n` (the entry implies the last one). */
  const entryBytes = (entry: StreamEntry) => Buffer.concat([entry.lines, Buffer.from('\n')]);
  const linesIn = (entry: StreamEntry) =>
    entryBytes(entry).toString('latin1').split('\n').length - 1;

  beforeAll(() => {
    admin = createTestRedis();
  });
  afterEach(async () => {
    for (const s of sinks) await s.close();
    for (const lease of leases) await lease.release();
    sinks = [];
    leases = [];
    for (const c of clients) c.disconnect();
    clients = [];
    await deleteKeysWithPrefix(admin, prefix);
  });
  afterAll(async () => {
    await admin.quit();
  });

  it('puts long lines into entries whole: every entry ends at a line end and the lines come out as written', async () => {
    const s = await sink();
    const small = Array.from({ length: 300 }, (_, i) => line(`s${i}`, 40 + (i % 50)));
    const lines = [
      ...small.slice(0, 100),
      line('200k', 200 * 1024),
      ...small.slice(100, 200),
      line('1m-1', MiB - 1),
      line('64k', STREAM_ENTRY_MAX_BYTES - 1), // exactly 64 KiB with its `\n`
      ...small.slice(200),
      line('1m+1', MiB + 1), // what WholeLineChunker makes of a longer line
    ];
    const input = joinLines(lines);
    // As CommandSource hands it on: whole lines, in writes of up to 1 MiB + a chunk.
    for (let at = 0; at < input.length;) {
      const end = input.indexOf(0x0a, Math.min(at + 300 * 1024, input.length - 1)) + 1;
      await s.write(input.subarray(at, end));
      at = end;
    }
    await s.flush();
    const got = await entries();
    // Joined, with the `\n` each entry implies, they are the input: no entry ends mid-line
    // (that would add a `\n`) and no line is lost or doubled.
    expect(Buffer.concat(got.map(entryBytes)).equals(input)).toBe(true);
    expect(s.appended.lines).toBe(lines.length);
    for (const [i, entry] of got.entries()) {
      const bytes = entryBytes(entry).length;
      // Within 64 KiB, unless it is one line alone that is longer.
      if (linesIn(entry) > 1) expect(bytes).toBeLessThanOrEqual(STREAM_ENTRY_MAX_BYTES);
      // Cut only when the next line would not have fitted.
      const next = got[i + 1];
      if (next !== undefined) {
        const firstOfNext = entryBytes(next).indexOf(0x0a) + 1;
        expect(bytes + firstOfNext).toBeGreaterThan(STREAM_ENTRY_MAX_BYTES);
      }
    }
    const sizes = got.map((entry) => entryBytes(entry).length);
    expect(sizes).toContain(200 * 1024 + 1);
    expect(sizes).toContain(MiB);
    expect(sizes).toContain(STREAM_ENTRY_MAX_BYTES);
    expect(sizes).toContain(MiB + 2);
  });

  it('keeps STREAM_ENTRY_LINES when one write brings more lines than that', async () => {
    const s = await sink(1000);
    const lines = Array.from({ length: 2500 }, (_, i) => line(`n${i}`, 20));
    await s.write(joinLines(lines));
    await s.flush();
    const got = await entries();
    expect(got.map(linesIn)).toEqual([1000, 1000, 500]);
    expect(Buffer.concat(got.map(entryBytes)).equals(joinLines(lines))).toBe(true);
  });

  it('cuts the generator’s string lines by count and by size alike', async () => {
    const s = await sink(3);
    await s.write(['a', 'b', 'c', 'd']);
    await s.write([line('big', STREAM_ENTRY_MAX_BYTES - 1).toString(), 'tail-that-does-not-fit']);
    await s.flush();
    const got = await entries();
    expect(got.map((entry) => entry.lines.toString().slice(0, 30))).toEqual([
      'a\nb\nc',
      `d`,
      `big${'x'.repeat(27)}`,
      'tail-that-does-not-fit',
    ]);
    expect(s.appended).toEqual({ entries: 4, lines: 6 });
  });

  it('refuses bytes that do not end with a whole line, appending nothing', async () => {
    const s = await sink();
    await expect(s.write(Buffer.from('whole\nhalf'))).rejects.toThrow(RangeError);
    await s.flush();
    expect(await entries()).toEqual([]);
  });
});
