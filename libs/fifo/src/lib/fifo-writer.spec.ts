import { join } from 'node:path';
import {
  ChunkCollector,
  idleTurns,
  lineNumbers,
  makeTempDir,
  NUMBERED_LINE_BYTES,
  numberedLines,
  removeTempDir,
  track,
} from '../testing';
import { eventually } from '@tally/testing';
import { ensureFifo } from './ensure-fifo';
import { FifoClosedError } from './errors';
import { FifoReader } from './fifo-reader';
import { FifoWriter } from './fifo-writer';

/** These waits watch in-process state that can change within milliseconds. */
const POLL = { everyMs: 2, timeoutMs: 10_000 };

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('FifoWriter', () => {
  let dir: string;
  let path: string;
  const cleanup: Array<() => Promise<void>> = [];

  function reader(onChunk?: (r: FifoReader, got: ChunkCollector) => void) {
    const got = new ChunkCollector();
    const r: FifoReader = new FifoReader(path, {
      ...got.events,
      onChunk: (chunk) => {
        got.events.onChunk(chunk);
        onChunk?.(r, got);
      },
    });
    cleanup.push(() => r.close());
    return { reader: r, got };
  }
  function writer(events = {}): FifoWriter {
    const w = new FifoWriter(path, events);
    cleanup.push(() => w.close());
    return w;
  }

  beforeEach(async () => {
    dir = await makeTempDir();
    path = join(dir, 'events.fifo');
    await ensureFifo(path);
  });
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close();
    await removeTempDir(dir);
  });

  it('writes strings as lines and counts the bytes the kernel took', async () => {
    const { reader: r, got } = reader();
    r.start();
    const w = writer();
    await w.write(['{ "event_type": "foo" }', 'crlf\r', '']);
    expect(w.bytesWritten).toBe(31);
    await w.close();
    await eventually('EOF', () => got.eofs === 1, POLL);
    expect(got.text()).toBe('{ "event_type": "foo" }\ncrlf\r\n\n');
  });

  it('sends a line longer than PIPE_BUF intact', async () => {
    const { reader: r, got } = reader();
    r.start();
    const w = writer();
    const long = 'z'.repeat(300_000);
    await w.write(['a', long, 'b']);
    await w.close();
    await eventually('EOF', () => got.eofs === 1, POLL);
    expect(got.text()).toBe(`a\n${long}\nb\n`);
  });

  it('waits for a reader before the first write, and says so', async () => {
    const events: string[] = [];
    const w = writer({
      onWaitingForReader: () => events.push('waiting'),
      onReaderConnected: () => events.push('connected'),
    });
    const written = track(w.write(numberedLines(0, 1)));
    await eventually('the writer to wait', () => w.isWaitingForReader, POLL);
    await idleTurns();
    expect(written.settled).toBe(false);
    const { reader: r, got } = reader();
    r.start();
    await written.promise;
    expect(events).toEqual(['waiting', 'connected']);
    await w.close();
    await eventually('EOF', () => got.eofs === 1, POLL);
    expect(lineNumbers(got.text())).toEqual([0]);
  });

  it('is held back by a full pipe while the reader is paused (backpressure)', async () => {
    let holdBack = true;
    const { reader: r, got } = reader((self) => holdBack && self.pause());
    r.start();
    const w = writer();
    const total = 16_384; // 1 MiB of lines, 16 times what a pipe holds
    const written = track(w.write(numberedLines(0, total)));
    await eventually('the first chunk', () => got.chunks.length === 1, POLL);
    await eventually('the pipe to fill', () => w.bytesWritten >= got.bytes + 32 * 1024, POLL);
    await idleTurns();
    expect(written.settled).toBe(false);
    // What the kernel took is what was read plus at most one pipe buffer: nothing piles up.
    expect(w.bytesWritten - got.bytes).toBeLessThanOrEqual(64 * 1024);

    holdBack = false;
    r.resume();
    await written.promise;
    await w.close();
    await eventually('EOF', () => got.eofs === 1, POLL);
    expect(lineNumbers(got.text())).toEqual(range(0, total));
  });

  it('survives the reader closing mid-stream: every line arrives exactly once', async () => {
    const events: string[] = [];
    const w = writer({ onWaitingForReader: () => events.push('waiting') });
    const first = reader((self) => self.pause()); // reads one chunk, leaves the rest in the pipe
    first.reader.start();
    const total = 20_000; // 1.28 MB
    const written = track(w.write(numberedLines(0, total)));
    await eventually('the first chunk', () => first.got.chunks.length === 1, POLL);
    await eventually('the pipe to fill', () => w.bytesWritten >= first.got.bytes + 32 * 1024, POLL);
    await first.reader.close();
    // The writer hits EPIPE and waits for a new reader, holding the unread lines in the pipe.
    await eventually('the writer to wait for the next reader', () => w.isWaitingForReader, POLL);
    expect(written.settled).toBe(false);

    const second = reader();
    second.reader.start();
    await written.promise;
    await w.close();
    await eventually('EOF at the second reader', () => second.got.eofs === 1, POLL);

    expect(first.got.bytes % NUMBERED_LINE_BYTES).toBe(0);
    const seen = [...lineNumbers(first.got.text()), ...lineNumbers(second.got.text())];
    expect(seen).toEqual(range(0, total));
    expect(first.got.bytes).toBeGreaterThan(0);
    expect(events).toEqual(['waiting', 'waiting']);
  });

  it('gives up a write that waits for a reader when closed, and closes promptly', async () => {
    const w = new FifoWriter(path);
    const written = w.write(numberedLines(0, 1));
    await eventually('the writer to wait', () => w.isWaitingForReader, POLL);
    await w.close();
    await expect(written).rejects.toBeInstanceOf(FifoClosedError);
    await expect(w.write(['late'])).rejects.toMatchObject({ code: 'ERR_FIFO_CLOSED' });
  });

  it('finishes writes already asked for when closed with a reader connected', async () => {
    const { reader: r, got } = reader();
    r.start();
    const w = new FifoWriter(path);
    await w.write(numberedLines(0, 1));
    const writes = [w.write(numberedLines(1, 1000)), w.write(numberedLines(1001, 999))];
    await w.close();
    await Promise.all(writes);
    await eventually('EOF', () => got.eofs === 1, POLL);
    expect(lineNumbers(got.text())).toEqual(range(0, 2000));
  });
});
