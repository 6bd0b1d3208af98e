import { constants } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ChunkCollector,
  idleTurns,
  lineNumbers,
  makeTempDir,
  numberedLines,
  removeTempDir,
  track,
} from '../testing';
import { eventually } from '@tally/testing';
import { ensureFifo } from './ensure-fifo';
import { FifoReader } from './fifo-reader';
import { FifoWriter } from './fifo-writer';

/** These waits watch in-process state that can change within milliseconds. */
const POLL = { everyMs: 2, timeoutMs: 10_000 };

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('FifoReader', () => {
  let dir: string;
  let path: string;
  const cleanup: Array<() => Promise<void>> = [];

  function reader(collector = new ChunkCollector()): { reader: FifoReader; got: ChunkCollector } {
    const r = new FifoReader(path, collector.events);
    cleanup.push(() => r.close());
    return { reader: r, got: collector };
  }
  function writer(): FifoWriter {
    const w = new FifoWriter(path);
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

  it('receives every line a writer sends, in order', async () => {
    const { reader: r, got } = reader();
    r.start();
    const w = writer();
    await w.write(numberedLines(0, 20_000));
    await w.close();
    await eventually('EOF', () => got.eofs === 1, POLL);
    expect(lineNumbers(got.text())).toEqual(range(0, 20_000));
    expect(got.opens).toBe(1);
    expect(got.errors).toEqual([]);
  });

  it('hands out views of its own buffer to onBytes, every byte once, in order', async () => {
    const got = new ChunkCollector();
    const views: Buffer[] = [];
    const r = new FifoReader(path, {
      ...got.events,
      onChunk: () => {
        throw new Error('onChunk must not be called when onBytes is given');
      },
      onBytes: (view) => {
        views.push(view);
        got.events.onChunk(Buffer.from(view)); // a consumer that keeps bytes copies them
      },
    });
    cleanup.push(() => r.close());
    r.start();
    const w = writer();
    await w.write(numberedLines(0, 20_000));
    await w.close();
    await eventually('EOF', () => got.eofs === 1, POLL);
    expect(lineNumbers(got.text())).toEqual(range(0, 20_000));
    // No copy per read: every view is over the same memory.
    expect(views.length).toBeGreaterThan(1);
    expect(new Set(views.map((v) => v.buffer)).size).toBe(1);
  });

  it('reports EOF when the writer closes and then reads the next writer', async () => {
    const { reader: r, got } = reader();
    r.start();
    const first = new FifoWriter(path);
    await first.write(numberedLines(0, 100));
    await first.close();
    await eventually('the first EOF', () => got.eofs === 1, POLL);
    expect(lineNumbers(got.text())).toEqual(range(0, 100));

    const second = writer();
    await second.write(numberedLines(100, 100));
    await second.close();
    await eventually('the second EOF', () => got.eofs === 2, POLL);
    expect(lineNumbers(got.text())).toEqual(range(0, 200));
    expect(got.opens).toBe(2);
  });

  it('delivers nothing while paused and the rest after resume', async () => {
    const got = new ChunkCollector();
    let pauseOnChunk = true;
    const r: FifoReader = new FifoReader(path, {
      ...got.events,
      onChunk: (chunk) => {
        got.events.onChunk(chunk);
        if (pauseOnChunk) r.pause(); // pausing from inside the callback takes effect at once
      },
    });
    cleanup.push(() => r.close());
    r.start();
    const w = writer();
    const written = track(w.write(numberedLines(0, 16_384))); // 1 MiB
    await eventually('the first chunk', () => got.chunks.length === 1, POLL);
    const delivered = got.bytes;
    // The writer refills the pipe: there is unread data the paused reader must leave alone.
    await eventually('the pipe to refill', () => w.bytesWritten >= delivered + 32 * 1024, POLL);
    await idleTurns();
    expect(r.isPaused).toBe(true);
    expect(got.bytes).toBe(delivered);
    expect(written.settled).toBe(false);

    pauseOnChunk = false;
    r.resume();
    await written.promise;
    await w.close();
    await eventually('EOF', () => got.eofs === 1, POLL);
    expect(lineNumbers(got.text())).toEqual(range(0, 16_384));
    expect(r.isPaused).toBe(false);
  });

  it('closes promptly while waiting for a writer, without calling back', async () => {
    const { reader: r, got } = reader();
    r.start();
    await r.close();
    expect(r.isOpen).toBe(false);
    expect(got).toMatchObject({ opens: 0, eofs: 0, bytes: 0, errors: [] });
  });

  it('closes while connected and paused, leaving unread data to the next reader', async () => {
    const first = reader();
    first.reader.start();
    const w = writer();
    await w.write(numberedLines(0, 10));
    await eventually('the first lines', () => first.got.bytes === 640, POLL);
    first.reader.pause();
    await w.write(numberedLines(10, 10));
    await first.reader.close();

    const second = reader();
    second.reader.start();
    // Only once the second reader has the FIFO open may the writer close: a pipe with neither
    // readers nor writers is freed, and the unread lines with it.
    await eventually('the second reader to open', () => second.got.opens === 1, POLL);
    await w.close();
    await eventually('EOF at the second reader', () => second.got.eofs === 1, POLL);
    expect(lineNumbers(first.got.text())).toEqual(range(0, 10));
    expect(lineNumbers(second.got.text())).toEqual(range(10, 10));
  });

  it('reports an error and retries while the FIFO does not exist', async () => {
    await rm(path);
    const { reader: r, got } = reader();
    r.start();
    await eventually('two failed attempts', () => got.errors.length >= 2, POLL);
    expect((got.errors[0] as NodeJS.ErrnoException).code).toBe('ENOENT');

    await ensureFifo(path);
    const w = writer();
    await w.write(numberedLines(0, 3));
    await w.close();
    await eventually('EOF after the FIFO came back', () => got.eofs === 1, POLL);
    expect(lineNumbers(got.text())).toEqual([0, 1, 2]);
  });

  it('reads the rest of a line byte by byte after pause, leaving the next line in the pipe', async () => {
    const got = new ChunkCollector();
    const r: FifoReader = new FifoReader(path, {
      ...got.events,
      onChunk: (chunk) => {
        got.events.onChunk(chunk);
        r.pause();
      },
    });
    cleanup.push(() => r.close());
    r.start();
    const w = writer();
    await w.write(Buffer.from('first\nhal'));
    await eventually('the first chunk', () => got.text() === 'first\nhal', POLL);
    await w.write(Buffer.from('f line\nnext line\n'));
    const rest: Buffer[] = [];
    await r.readRestOfLine(2_000, (bytes) => rest.push(bytes));
    expect(Buffer.concat(rest).toString()).toBe('f line\n');
    await r.close();

    const { reader: second, got: got2 } = reader();
    second.start();
    await eventually('the next line at the next reader', () => got2.text() === 'next line\n', POLL);
  });

  it('gives up reading the rest of a line after the time limit', async () => {
    const got = new ChunkCollector();
    const r: FifoReader = new FifoReader(path, {
      ...got.events,
      onChunk: (chunk) => {
        got.events.onChunk(chunk);
        r.pause();
      },
    });
    cleanup.push(() => r.close());
    r.start();
    const w = writer();
    await w.write(Buffer.from('partial'));
    await eventually('the partial line', () => got.text() === 'partial', POLL);
    const rest: Buffer[] = [];
    const started = Date.now();
    await r.readRestOfLine(100, (bytes) => rest.push(bytes));
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(rest).toEqual([]);
  });

  it('refuses to read the rest of a line while not paused', async () => {
    const { reader: r } = reader();
    await expect(r.readRestOfLine(10, () => undefined)).rejects.toThrow(/pause/);
  });

  it('loses no line and causes no EPIPE when writers close and reopen back to back', async () => {
    const { reader: r, got } = reader();
    r.start();
    const writers = 300;
    for (let i = 0; i < writers; i++) {
      // A plain open/write/close per writer: the next one opens while the reader handles the EOF.
      const handle = await open(path, constants.O_WRONLY);
      await handle.write(numberedLines(i * 10, 10));
      await handle.close();
    }
    await eventually('every line', () => lineNumbers(got.text()).length === writers * 10, POLL);
    expect(lineNumbers(got.text())).toEqual(range(0, writers * 10));
    expect(got.errors).toEqual([]);
  });

  it('reports the EOF of every writer that writes and closes while the reader is busy', async () => {
    // A reader slowed down (as under load) sees writers come and go between its reads; each
    // unterminated tail must still be followed by an EOF, or it would glue onto the next line.
    const got = new ChunkCollector();
    const timeline: string[] = [];
    const r = new FifoReader(path, {
      ...got.events,
      onChunk: (chunk) => {
        const until = Date.now() + 5;
        while (Date.now() < until) {
          // busy: the event loop is late, like a loaded machine
        }
        timeline.push(chunk.toString());
      },
      onEof: () => timeline.push('<EOF>'),
    });
    cleanup.push(() => r.close());
    r.start();
    for (let i = 0; i < 40; i++) {
      const handle = await open(path, constants.O_WRONLY);
      await handle.write(`tail${i}`);
      await handle.close();
      await eventually(
        `writer ${i}'s bytes followed by an EOF (got ${JSON.stringify(timeline.slice(-4))})`,
        () => timeline.join('').endsWith(`tail${i}<EOF>`),
        { ...POLL, timeoutMs: 3_000 },
      );
    }
  });
});
