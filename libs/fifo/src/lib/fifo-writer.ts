import { FifoClosedError } from './errors';
import { closeFd, hasCode, O_NONBLOCK, O_RDONLY, O_WRONLY, openFd, writeFd } from './fd-io';
import { encodeLines, lineChunks } from './line-chunks';
import { releasePendingOpen } from './release-pending-open';

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
 * - `open(2)` without O_NONBLOCK, so it waits (in the libuv threadpool, not on the event loop)
 *   for a reader; writes go to that blocking fd and each is awaited, so a full pipe holds the
 *   caller back instead of growing a buffer.
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
  /** Set while an open waits for a reader; resolves (never rejects) once that open has returned. */
  private opening: Promise<void> | undefined;
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
    return this.opening !== undefined;
  }

  /**
   * Writes `data`: a Buffer of lines, or strings that each get a `\n`. Resolves when the kernel
   * has accepted every byte (not when a reader has read them).
   * @throws FifoClosedError when the writer is closed before a reader takes the data.
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
   * (the blocked open is released, see releasePendingOpen). Safe to call more than once.
   */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    if (this.opening) await releasePendingOpen(this.path, O_RDONLY | O_NONBLOCK, this.opening);
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

  /** Opens for writing; waits for a reader. @throws FifoClosedError when closing. */
  private async openForWrite(): Promise<number> {
    if (this.closing) throw new FifoClosedError(this.path);
    this.events.onWaitingForReader?.();
    const pending = openFd(this.path, O_WRONLY); // no O_CREAT: never turn a removed FIFO into a file
    this.opening = pending.then(
      () => undefined,
      () => undefined,
    );
    let fd: number;
    try {
      fd = await pending;
    } finally {
      this.opening = undefined;
    }
    if (this.closing) {
      await closeFd(fd);
      throw new FifoClosedError(this.path);
    }
    this.events.onReaderConnected?.();
    return fd;
  }
}
