import { FifoClosedError, FifoReplacedError } from './errors';
import {
  closeFd,
  fstatFd,
  hasCode,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_RDONLY,
  O_WRONLY,
  openFd,
  writeFd,
} from './fd-io';
import { FIFO, fileKind, kindAt } from './file-kind';
import { encodeLines, lineChunks } from './line-chunks';
import { releasePendingOpen } from './release-pending-open';

/** How often a writer waiting for a reader tries to open again (one timer while it waits). */
export const READER_POLL_MS = 25;

/** Errors of an open that mean: what is at the path is not (or no longer) a FIFO. */
const NOT_A_FIFO_CODES = ['ELOOP', 'ENOENT', 'EISDIR', 'ENXIO'];

/** Optional notifications from a {@link FifoWriter}, e.g. for a log line. */
export interface FifoWriterEvents {
  /** The writer is opening the FIFO; this waits until a reader has it open (first write, or after the reader went away). */
  onWaitingForReader?(): void;
  /** A reader has the FIFO open; waiting writes go on. */
  onReaderConnected?(): void;
}

/**
 * The producer side of a FIFO: writes lines with backpressure, and survives readers coming
 * and going without losing or repeating a byte.
 *
 * - Waiting for a reader: it tries a non-blocking `open(2)` every {@link READER_POLL_MS} ms
 *   (ENXIO: no reader yet), so no thread waits inside the kernel and every attempt sees what is
 *   at the path now. Every open uses O_NOFOLLOW and is checked with `fstat`: when the path
 *   leads to anything but a FIFO (a regular file or symlink put there, the FIFO removed) the
 *   write rejects with FifoReplacedError and not one byte is written to what is there.
 * - Once a reader is there, the checked FIFO is opened again, blocking, through
 *   `/proc/self/fd/<checked fd>` (Linux): the very FIFO just checked, whatever happens at the
 *   path meanwhile. Writes go to that blocking fd (in the libuv threadpool, not on the event
 *   loop) and each is awaited, so a full pipe holds the caller back instead of growing a
 *   buffer.
 * - Data is written in pieces of whole lines of at most PIPE_BUF (4096) bytes, which the kernel
 *   writes atomically: a reader going away never leaves half a line behind. Only a single line
 *   longer than that is written in several steps.
 * - When the reader goes away (EPIPE; Node ignores SIGPIPE) the writer waits for the next
 *   reader and sends exactly the bytes the kernel had not taken.
 *
 * Writes are serialized: each `write()` resolves once the kernel accepted all its bytes.
 * Callers should await each write; nothing bounds a queue of un-awaited ones.
 *
 * What it cannot do: bytes still in the pipe when the writer closes are lost if no reader has
 * the FIFO open at that moment (the kernel frees the pipe with its last fd).
 */
export class FifoWriter {
  private fd: number | undefined;
  /** True from the start of an open until a reader is there (or the open failed). */
  private waiting = false;
  /** Ends the wait between two attempts at once (close). */
  private wake: (() => void) | undefined;
  /**
   * Set while a blocking open waits (a reader went away between the check and it): the path to
   * release it through, and a promise that resolves (never rejects) once that open returned.
   */
  private opening: { readonly via: string; readonly settled: Promise<void> } | undefined;
  private queue: Promise<void> = Promise.resolve();
  private closing = false;
  private closed: Promise<void> | undefined;
  private written = 0;

  constructor(
    readonly path: string,
    private readonly events: FifoWriterEvents = {},
  ) {}

  /** Bytes the kernel has accepted so far. */
  get bytesWritten(): number {
    return this.written;
  }

  /** True while the writer waits for a reader to open the FIFO. */
  get isWaitingForReader(): boolean {
    return this.waiting;
  }

  /**
   * Writes `data`: a Buffer of lines, or strings that each get a `\n`. Resolves when the kernel
   * has accepted every byte (not when a reader has read them).
   * @throws FifoClosedError when the writer is closed before a reader takes the data.
   * @throws FifoReplacedError when the path leads to something else than a FIFO when the
   *   writer (re)opens it (first write, or after the reader went away); nothing is written there.
   */
  write(data: Buffer | readonly string[]): Promise<void> {
    if (this.closing) return Promise.reject(new FifoClosedError(this.path));
    const bytes = Buffer.isBuffer(data) ? data : encodeLines(data);
    const result = this.queue.then(() => this.writeAll(bytes));
    this.queue = result.catch(() => undefined); // the caller gets the error; the queue goes on
    return result;
  }

  /**
   * Finishes the writes already asked for while a reader is connected, then closes the FIFO.
   * A write that is waiting for a reader is not waited for: it rejects with FifoClosedError
   * (a blocking open in progress is released, see releasePendingOpen). Safe to call more than
   * once.
   */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    this.wake?.();
    const opening = this.opening;
    if (opening) await releasePendingOpen(opening.via, O_RDONLY | O_NONBLOCK, opening.settled);
    await this.queue;
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      await closeFd(fd);
    }
  }

  private async writeAll(bytes: Buffer): Promise<void> {
    for (const chunk of lineChunks(bytes)) await this.writeChunk(chunk);
  }

  private async writeChunk(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const fd = this.fd ?? (this.fd = await this.openForWrite());
      try {
        const accepted = await writeFd(fd, chunk, offset, chunk.length - offset);
        offset += accepted;
        this.written += accepted;
      } catch (error) {
        if (!hasCode(error, 'EPIPE')) throw error;
        // The reader went away. Open a new fd first and only then close the old one: while we
        // hold a write end, the kernel keeps the pipe object — and the lines the old reader
        // left unread in its buffer — alive, and the next reader to open the FIFO gets that
        // same pipe, so those lines reach it ahead of what we resend. Closing first would let
        // the pipe (and those lines) be freed with its last fd.
        this.fd = await this.openForWrite();
        await closeFd(fd);
        // The loop resends chunk[offset..]: EPIPE means the kernel took none of those bytes.
      }
    }
  }

  /**
   * Opens the FIFO for writing once a reader has it open.
   * @throws FifoClosedError when closing; FifoReplacedError when the path is not a FIFO.
   */
  private async openForWrite(): Promise<number> {
    if (this.closing) throw new FifoClosedError(this.path);
    this.events.onWaitingForReader?.();
    this.waiting = true;
    try {
      const checked = await this.openWhenReaderIsThere();
      let fd: number;
      try {
        fd = await this.openBlocking(`/proc/self/fd/${checked}`);
      } finally {
        await closeFd(checked);
      }
      if (this.closing) {
        await closeFd(fd);
        throw new FifoClosedError(this.path);
      }
      this.events.onReaderConnected?.();
      return fd;
    } finally {
      this.waiting = false;
    }
  }

  /**
   * A non-blocking write end of the FIFO at the path, checked to be a FIFO, once it has a
   * reader. Tries every READER_POLL_MS ms while there is none.
   */
  private async openWhenReaderIsThere(): Promise<number> {
    for (;;) {
      if (this.closing) throw new FifoClosedError(this.path);
      let fd: number;
      try {
        // No O_CREAT: a removed FIFO is never turned into a file. O_NOFOLLOW: a symlink put at
        // the path fails (ELOOP) instead of leading elsewhere.
        fd = await openFd(this.path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW);
      } catch (error) {
        if (!NOT_A_FIFO_CODES.some((code) => hasCode(error, code))) throw error;
        // ENXIO is "no reader" on a FIFO, but also what a socket answers: look.
        const found = await kindAt(this.path);
        if (found !== FIFO) throw new FifoReplacedError(this.path, found);
        await this.pause(READER_POLL_MS);
        continue;
      }
      const stats = await fstatFd(fd).catch(async (error: unknown) => {
        await closeFd(fd);
        throw error;
      });
      if (stats.isFIFO()) return fd;
      await closeFd(fd); // a regular file opened without O_TRUNC is left as it was
      throw new FifoReplacedError(this.path, fileKind(stats));
    }
  }

  /** open(2) for writing, blocking: returns at once while a reader is there, else waits for one. */
  private async openBlocking(via: string): Promise<number> {
    // Checked here, in the same turn as `opening` is set: a close either sees `opening` and
    // releases the open, or came before and this open never starts.
    if (this.closing) throw new FifoClosedError(this.path);
    const pending = openFd(via, O_WRONLY);
    const settled = pending.then(
      () => undefined,
      () => undefined,
    );
    this.opening = { via, settled };
    try {
      return await pending;
    } finally {
      this.opening = undefined;
    }
  }

  /** Waits `ms`, or less when the writer is closed meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
