import { join } from 'node:path';
import { ensureFifo, FifoClosedError, FifoReader, FifoWriter, PIPE_BUF } from '@tally/fifo';
import { makeTempDir, removeTempDir } from '@tally/fifo/testing';
import { eventually } from '@tally/testing';
import type { Clock } from './clock';
import { createLineGenerator } from './generator';
import { type LineSink, Producer } from './producer';

/** These waits watch in-process state that can change within milliseconds. */
const POLL = { everyMs: 2, timeoutMs: 10_000 };

const wallClock = () => 1_564_039_783_000;

/** A clock whose sleeps return at once, advancing time: the schedule shows in the write times. */
class FakeClock implements Clock {
  now = 0;
  nowMs(): number {
    return this.now;
  }
  async sleep(ms: number): Promise<void> {
    this.now += ms;
  }
}

/** Records each write with the fake time it happened at. */
class RecordingSink implements LineSink {
  readonly writes: Array<{ atMs: number; lines: readonly string[] }> = [];
  constructor(private readonly clock: FakeClock) {}
  async write(lines: readonly string[]): Promise<void> {
    this.writes.push({ atMs: this.clock.now, lines });
  }
  get lineCount(): number {
    return this.writes.reduce((n, w) => n + w.lines.length, 0);
  }
}

function generator(seed = 1, corruptRatio = 0.05) {
  return createLineGenerator({ seed, corruptRatio, nowMs: wallClock });
}

describe('Producer', () => {
  it('writes RATE lines per second on schedule', async () => {
    const clock = new FakeClock();
    const sink = new RecordingSink(clock);
    const producer = new Producer({
      ratePerSecond: 10,
      count: 5,
      nextLine: generator(),
      sink,
      clock,
    });
    await expect(producer.run()).resolves.toMatchObject({ linesWritten: 5 });
    expect(sink.writes.map((w) => [w.atMs, w.lines.length])).toEqual([
      [0, 1],
      [100, 1],
      [200, 1],
      [300, 1],
      [400, 1],
    ]);
  });

  it('catches up at most one second of lines after a slow write', async () => {
    const clock = new FakeClock();
    const sink = new RecordingSink(clock);
    const slowOnce: LineSink = {
      write: async (lines) => {
        await sink.write(lines);
        if (sink.writes.length === 1) clock.now += 5_000; // the pipe was full for 5 s
      },
    };
    const producer = new Producer({
      ratePerSecond: 20,
      count: 100,
      nextLine: generator(),
      sink: slowOnce,
      clock,
    });
    await producer.run();
    expect(sink.writes[1]).toMatchObject({ atMs: 5_000 });
    expect(sink.writes[1]?.lines).toHaveLength(20);
    expect(sink.lineCount).toBe(100);
  });

  it('writes COUNT lines as fast as the sink takes them at RATE=0, in batches of at most PIPE_BUF', async () => {
    const clock = new FakeClock();
    const sink = new RecordingSink(clock);
    const producer = new Producer({
      ratePerSecond: 0,
      count: 1000,
      nextLine: generator(),
      sink,
      clock,
    });
    const counts = await producer.run();
    expect(counts.linesWritten).toBe(1000);
    expect(sink.lineCount).toBe(1000);
    expect(clock.now).toBe(0); // never slept
    expect(sink.writes.length).toBeLessThan(100);
    for (const { lines } of sink.writes) {
      expect(Buffer.byteLength(lines.join('\n') + '\n')).toBeLessThanOrEqual(PIPE_BUF);
    }
    const expected = generator();
    expect(sink.writes.flatMap((w) => w.lines)).toEqual(
      Array.from({ length: 1000 }, () => expected().text),
    );
  });

  it('counts the corrupt lines it wrote', async () => {
    const clock = new FakeClock();
    const sink = new RecordingSink(clock);
    const nextLine = generator(9, 0.5);
    const counts = await new Producer({
      ratePerSecond: 0,
      count: 400,
      nextLine,
      sink,
      clock,
    }).run();
    const reference = generator(9, 0.5);
    const corrupt = Array.from({ length: 400 }, () => reference()).filter((l) => l.corrupt).length;
    expect(counts).toEqual({ linesWritten: 400, corruptWritten: corrupt });
  });

  it('finishes the write in progress on stop() and writes nothing after it', async () => {
    let release: () => void = () => undefined;
    const writes: number[] = [];
    const sink: LineSink = {
      write: (lines) => {
        writes.push(lines.length);
        return new Promise((resolve) => (release = resolve));
      },
    };
    const producer = new Producer({ ratePerSecond: 0, count: 0, nextLine: generator(), sink });
    const running = producer.run();
    await eventually('the first write', () => writes.length === 1, POLL);
    producer.stop();
    release();
    const counts = await running;
    expect(writes).toHaveLength(1);
    expect(counts.linesWritten).toBe(writes[0]);
  });

  it('treats a writer closed while waiting for a reader as the end of a stop', async () => {
    const sink: LineSink = { write: () => Promise.reject(new FifoClosedError('/x')) };
    const producer = new Producer({ ratePerSecond: 0, count: 0, nextLine: generator(), sink });
    producer.stop();
    await expect(producer.run()).resolves.toEqual({ linesWritten: 0, corruptWritten: 0 });
    const unstopped = new Producer({ ratePerSecond: 0, count: 0, nextLine: generator(), sink });
    await expect(unstopped.run()).rejects.toBeInstanceOf(FifoClosedError);
  });

  it('wakes from a sleep when stopped', async () => {
    const sink: LineSink = { write: async () => undefined };
    // A clock whose sleep ends only when aborted: if stop() did not wake it, run() would hang.
    const clock: Clock = {
      nowMs: () => 0,
      sleep: (_ms, signal) =>
        new Promise((resolve) => signal.addEventListener('abort', () => resolve())),
    };
    const producer = new Producer({
      ratePerSecond: 1,
      count: 0,
      nextLine: generator(),
      sink,
      clock,
    });
    const running = producer.run();
    await eventually('the first line', () => producer.progress.linesWritten === 1, POLL);
    producer.stop();
    await expect(running).resolves.toMatchObject({ linesWritten: 1 });
  });

  describe('through a real FIFO', () => {
    let dir: string;
    let path: string;
    beforeEach(async () => {
      dir = await makeTempDir();
      path = join(dir, 'events.fifo');
      await ensureFifo(path);
    });
    afterEach(() => removeTempDir(dir));

    async function runThroughFifo(ratePerSecond: number, count: number): Promise<string[]> {
      const chunks: Buffer[] = [];
      let eofs = 0;
      const reader = new FifoReader(path, {
        onChunk: (chunk) => chunks.push(chunk),
        onEof: () => eofs++,
        onError: (error) => {
          throw error;
        },
      });
      reader.start();
      const writer = new FifoWriter(path);
      const producer = new Producer({ ratePerSecond, count, nextLine: generator(3), sink: writer });
      try {
        await expect(producer.run()).resolves.toMatchObject({ linesWritten: count });
        await writer.close();
        await eventually('EOF', () => eofs === 1, POLL);
      } finally {
        await writer.close();
        await reader.close();
      }
      const text = Buffer.concat(chunks).toString();
      expect(text.endsWith('\n')).toBe(true);
      return text.slice(0, -1).split('\n');
    }

    it('delivers exactly COUNT lines, in order, at RATE=0', async () => {
      const lines = await runThroughFifo(0, 1000);
      const expected = generator(3);
      expect(lines).toEqual(Array.from({ length: 1000 }, () => expected().text));
    });

    it('finishes COUNT lines at a limited RATE', async () => {
      const lines = await runThroughFifo(1000, 20);
      expect(lines).toHaveLength(20);
    });
  });
});
