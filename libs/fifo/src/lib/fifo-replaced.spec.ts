import { mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
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
import { FifoReplacedError } from './errors';
import { FifoReader } from './fifo-reader';
import { FifoWriter } from './fifo-writer';

/** These waits watch in-process state that can change within milliseconds. */
const POLL = { everyMs: 2, timeoutMs: 10_000 };

/** Rejects after `ms` (a deadline for something that must fail soon, not a wait). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

describe('a FIFO replaced by something else', () => {
  let dir: string;
  let path: string;
  const cleanup: Array<() => Promise<void>> = [];

  function reader(at = path): { reader: FifoReader; got: ChunkCollector } {
    const got = new ChunkCollector();
    const r = new FifoReader(at, got.events);
    cleanup.push(() => r.close());
    return { reader: r, got };
  }
  function writer(at = path): FifoWriter {
    const w = new FifoWriter(at);
    cleanup.push(() => w.close());
    return w;
  }
  /** Puts a regular file with `content` at the path in one step (rename), as `mv` would. */
  async function replaceWithFile(content = ''): Promise<void> {
    await writeFile(join(dir, 'swap.tmp'), content);
    await rename(join(dir, 'swap.tmp'), path);
  }
  const sockets: Server[] = [];
  const replacements: Array<[string, string, () => Promise<void>]> = [
    ['a regular file', 'a regular file', () => replaceWithFile()],
    [
      'a symbolic link to another FIFO',
      'a symbolic link',
      async () => {
        await ensureFifo(join(dir, 'other.fifo'));
        await rm(path);
        await symlink(join(dir, 'other.fifo'), path);
      },
    ],
    [
      'a directory',
      'a directory',
      async () => {
        await rm(path);
        await mkdir(path);
      },
    ],
    [
      'a socket',
      'a socket',
      async () => {
        await rm(path);
        const server = createServer();
        sockets.push(server);
        await new Promise<void>((resolve) => server.listen(path, resolve));
      },
    ],
    ['nothing', 'nothing', () => rm(path)],
  ];

  beforeEach(async () => {
    dir = await makeTempDir();
    path = join(dir, 'events.fifo');
    await ensureFifo(path);
  });
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close();
    for (const server of sockets.splice(0)) server.close();
    await removeTempDir(dir);
  });

  describe('FifoWriter', () => {
    it.each(replacements)(
      'rejects the reopen after its reader went away when %s is there, writing nothing',
      async (_name, found, replace) => {
        const first = reader();
        first.reader.start();
        const w = writer();
        await w.write(numberedLines(0, 10));
        await eventually('the first lines', () => first.got.bytes === 640, POLL);
        await replace();
        await first.reader.close(); // the next write meets EPIPE and opens the path again
        const error = await within(w.write(numberedLines(10, 10)), 3_000, 'the write').catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(FifoReplacedError);
        expect(error).toMatchObject({ code: 'ERR_FIFO_REPLACED', path, found });
        expect((error as Error).message).toBe(
          found === 'nothing'
            ? `the FIFO at ${JSON.stringify(path)} was removed: nothing is there now`
            : `the FIFO at ${JSON.stringify(path)} was replaced: ${found} is there now, not a FIFO`,
        );
        expect(lineNumbers(first.got.text())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      },
    );

    it.each(replacements)(
      'rejects a write that waits for a reader once %s is put there',
      async (_name, found, replace) => {
        const w = writer();
        const written = track(w.write(numberedLines(0, 1)));
        await eventually('the writer to wait for a reader', () => w.isWaitingForReader, POLL);
        await replace();
        await expect(within(written.promise, 3_000, 'the waiting write')).rejects.toMatchObject({
          name: 'FifoReplacedError',
          found,
        });
        expect(w.isWaitingForReader).toBe(false);
      },
    );

    it('leaves a regular file put at the path empty, and writes nothing there on later writes', async () => {
      const first = reader();
      first.reader.start();
      const w = writer();
      await w.write(numberedLines(0, 1));
      await eventually('the first line', () => first.got.bytes === 64, POLL);
      await replaceWithFile();
      await first.reader.close();
      for (let i = 0; i < 3; i++) {
        await expect(w.write(numberedLines(1, 100))).rejects.toBeInstanceOf(FifoReplacedError);
      }
      expect((await stat(path)).size).toBe(0);
    });

    it('never writes through a symlink to another FIFO, even one whose reader waits', async () => {
      const other = join(dir, 'other.fifo');
      await ensureFifo(other);
      const behind = reader(other);
      behind.reader.start();
      await rm(path);
      await symlink(other, path);
      const w = writer();
      await expect(within(w.write(['x']), 3_000, 'the write')).rejects.toMatchObject({
        found: 'a symbolic link',
      });
      await idleTurns();
      expect(behind.got).toMatchObject({ bytes: 0, opens: 0 });
    });

    it('writes to a new FIFO put at the path while it waited (the path is what counts)', async () => {
      const w = writer();
      const written = track(w.write(numberedLines(0, 5)));
      await eventually('the writer to wait', () => w.isWaitingForReader, POLL);
      // Swapped in one step (rename over it): a path left empty for a moment would be a
      // removed FIFO, which the writer rightly refuses (another test).
      await ensureFifo(`${path}.new`);
      await rename(`${path}.new`, path);
      const next = reader();
      next.reader.start();
      await within(written.promise, 3_000, 'the write to the new FIFO');
      await w.close();
      await eventually('EOF at the new FIFO', () => next.got.eofs === 1, POLL);
      expect(lineNumbers(next.got.text())).toEqual([0, 1, 2, 3, 4]);
    });
  });

  describe('FifoReader', () => {
    it('never reads a regular file put at the path, says so, and reads again once a FIFO is back', async () => {
      const { reader: r, got } = reader();
      r.start();
      const first = new FifoWriter(path);
      await first.write(numberedLines(0, 3));
      await eventually('the first lines', () => got.bytes === 192, POLL);
      await replaceWithFile('{"event_type":"never","data":"read","timestamp":1}\n');
      await first.close(); // EOF: the reader opens the path again and finds the file
      await eventually('two refused attempts', () => got.errors.length >= 2, POLL);
      for (const error of got.errors) {
        expect(error).toBeInstanceOf(FifoReplacedError);
        expect(error).toMatchObject({ path, found: 'a regular file' });
      }
      expect(lineNumbers(got.text())).toEqual([0, 1, 2]);
      expect(got.text()).not.toContain('never');
      expect(await readFile(path, 'utf8')).toContain('never'); // left as it was

      await rm(path);
      await ensureFifo(path);
      const second = writer();
      await second.write(numberedLines(3, 2));
      await second.close();
      await eventually('EOF from the writer of the new FIFO', () => got.eofs === 2, POLL);
      expect(lineNumbers(got.text())).toEqual([0, 1, 2, 3, 4]);
    });

    it('notices while idle that a file was put at the path, never reads it, and reads the FIFO put there next', async () => {
      const { reader: r, got } = reader();
      r.start(); // no writer yet: it polls the FIFO it holds
      await replaceWithFile('{"event_type":"never","data":"read","timestamp":1}\n');
      await eventually('the replacement to be reported', () => got.errors.length >= 1, POLL);
      expect(got.errors[0]).toMatchObject({ name: 'FifoReplacedError', found: 'a regular file' });

      await rm(path);
      await ensureFifo(path);
      const w = writer();
      await within(w.write(numberedLines(0, 2)), 5_000, 'the write to the new FIFO');
      await w.close();
      await eventually('EOF from the new FIFO', () => got.eofs === 1, POLL);
      expect(lineNumbers(got.text())).toEqual([0, 1]);
    });

    it('reads a new FIFO put at the path while it was idle (the old one is unreachable)', async () => {
      const { reader: r, got } = reader();
      r.start();
      await rm(path);
      await ensureFifo(path);
      const w = writer();
      await within(w.write(numberedLines(0, 3)), 5_000, 'the write to the new FIFO');
      await w.close();
      await eventually('EOF from the new FIFO', () => got.eofs === 1, POLL);
      expect(lineNumbers(got.text())).toEqual([0, 1, 2]);
    });

    it('never reads through a symlink, not even to a FIFO whose writer waits', async () => {
      const other = join(dir, 'other.fifo');
      await ensureFifo(other);
      await rm(path);
      await symlink(other, path);
      const w = writer(other);
      const written = track(w.write(['behind the link']));
      const { reader: r, got } = reader();
      r.start();
      await eventually('two refused attempts', () => got.errors.length >= 2, POLL);
      expect(got.errors[0]).toMatchObject({ name: 'FifoReplacedError', found: 'a symbolic link' });
      expect(got).toMatchObject({ bytes: 0, opens: 0 });
      expect(written.settled).toBe(false);
    });
  });
});
