import { readSync } from 'node:fs';
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import { closeFd, hasCode, O_NONBLOCK, O_RDONLY, O_WRONLY, openFd } from './fd-io';
import { releasePendingOpen } from './release-pending-open';

/** The size of one read(2): what libuv reads from a pipe at a time. */
export const READ_CHUNK_BYTES = 64 * 1024;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 2_000;

/** Callbacks of a {@link FifoReader}. They run on the event loop and must not throw. */
export interface FifoReaderEvents {
  /** Bytes read from the FIFO, at most 64 KiB, cut anywhere (not at line ends). Yours to keep. */
  onChunk(chunk: Buffer): void;
  /**
   * Every writer has closed the FIFO: an unterminated remainder is now a complete line
   * (SPEC §1). Not the end: the reader reopens and waits for the next writer.
   */
  onEof(): void;
  /** A writer has the FIFO open and reading starts (again). */
  onOpen?(): void;
  /** Opening or reading failed (e.g. the FIFO was removed); the reader retries with a backoff. */
  onError(error: Error): void;
}

/** net.Socket accepts `onread` in its constructor (Node docs), @types/node 20 lacks it. */
type PipeSocketOptions = SocketConstructorOpts & { onread: OnReadOpts };

/**
 * The ingest side of a FIFO: reads it without blocking the event loop and outlives its writers.
 *
 * The fd is opened with a blocking `open(2)` (it waits in the libuv threadpool for a writer),
 * then handed to a net.Socket: libuv treats a FIFO as a pipe, makes the fd non-blocking and
 * reads it from epoll. The socket uses `onread` with our own buffer rather than a stream, so
 * `pause()` stops reading from the kernel at once: bytes not yet delivered stay in the pipe
 * (and go to the next reader if this one closes), instead of piling up in a stream buffer.
 *
 * Lifecycle: `start()` → [open → chunks… → EOF → reopen]… → `close()`.
 */
export class FifoReader {
  private socket: Socket | undefined;
  /** The fd `socket` reads, for `readRestOfLine` (the socket owns and closes it). */
  private fd: number | undefined;
  /** Set while an open waits for a writer; resolves (never rejects) once it has been handled. */
  private opening: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = RETRY_FIRST_MS;
  private paused = false;
  private started = false;
  private closing = false;
  private closed: Promise<void> | undefined;
  private readonly readBuffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);

  constructor(
    readonly path: string,
    private readonly events: FifoReaderEvents,
  ) {}

  /** True between `pause()` and `resume()`. */
  get isPaused(): boolean {
    return this.paused;
  }

  /** True while a writer is connected and the reader holds an open fd. */
  get isOpen(): boolean {
    return this.socket !== undefined;
  }

  /** Opens the FIFO (waiting for a writer) and starts delivering chunks. Idempotent. */
  start(): void {
    if (this.started || this.closing) return;
    this.started = true;
    this.open();
  }

  /** Stops reading from the kernel: no `onChunk` until `resume()`. May be called from `onChunk`. */
  pause(): void {
    this.paused = true;
    this.socket?.pause();
  }

  /** Reads again after `pause()`. */
  resume(): void {
    this.paused = false;
    this.socket?.resume();
  }

  /**
   * Reads, after `pause()`, one byte at a time up to and including the next `\n`, for at most
   * `timeoutMs`, handing the bytes to `onBytes` (in pieces of at most 64 KiB). Byte by byte so
   * that not one byte of the following line is taken out of the pipe: it stays there for the
   * next reader. Used on shutdown to finish the line the ingest is in the middle of (SPEC §5).
   * Resolves early when every writer has closed (EOF) or no writer is connected.
   */
  async readRestOfLine(timeoutMs: number, onBytes: (bytes: Buffer) => void): Promise<void> {
    if (!this.paused) throw new Error('readRestOfLine: pause() the reader first');
    const deadline = Date.now() + timeoutMs;
    const piece = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let held = 0;
    const flush = () => {
      if (held > 0) onBytes(Buffer.from(piece.subarray(0, held)));
      held = 0;
    };
    try {
      while (this.fd !== undefined && this.socket !== undefined && Date.now() < deadline) {
        let n: number;
        try {
          n = readSync(this.fd, piece, held, 1, null);
        } catch (error) {
          // The fd is non-blocking (libuv made it so): EAGAIN means "no byte yet".
          if (!hasCode(error, 'EAGAIN')) throw error;
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
        if (n === 0) return; // EOF: every writer closed, the line is complete as it stands
        held++;
        if (piece[held - 1] === 0x0a) return;
        if (held === piece.length) flush();
      }
    } finally {
      flush();
    }
  }

  /**
   * Stops reading and closes the FIFO; resolves once the fd is closed. A pending open (no
   * writer yet) is released first — otherwise its threadpool thread would keep the process
   * from exiting. Reading stops before this returns its promise (no callback runs after the
   * call), and bytes still in the kernel pipe stay there for the next reader. Safe to call more
   * than once.
   */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    if (this.opening) await releasePendingOpen(this.path, O_WRONLY | O_NONBLOCK, this.opening);
    if (this.socket) await destroyed(this.socket);
  }

  private open(): void {
    this.opening = openFd(this.path, O_RDONLY).then(
      (fd) => {
        this.opening = undefined;
        return this.closing ? closeFd(fd) : this.attach(fd);
      },
      (error: Error) => {
        this.opening = undefined;
        if (!this.closing) this.fail(error);
      },
    );
  }

  private attach(fd: number): void {
    const onread: OnReadOpts = {
      buffer: this.readBuffer,
      callback: (bytes) => {
        // Copied: the read buffer is reused for the next read.
        this.events.onChunk(Buffer.from(this.readBuffer.subarray(0, bytes)));
        return true;
      },
    };
    const options: PipeSocketOptions = { fd, readable: true, writable: false, onread };
    let socket: Socket;
    try {
      socket = new Socket(options);
    } catch (error) {
      // e.g. ERR_INVALID_FD_TYPE: the path was replaced by a regular file after ensureFifo.
      void closeFd(fd).catch(() => undefined); // the error reported below is the one that matters
      this.fail(error as Error);
      return;
    }
    if (this.paused) socket.pause();
    this.fd = fd;
    socket.on('end', () => {
      this.drop(socket);
      if (this.closing) return;
      this.retryDelayMs = RETRY_FIRST_MS; // a normal cycle: next failure starts the backoff over
      this.events.onEof();
      this.open();
    });
    socket.on('error', (error) => {
      this.drop(socket);
      if (!this.closing) this.fail(error);
    });
    this.socket = socket;
    this.events.onOpen?.();
  }

  private drop(socket: Socket): void {
    if (this.socket === socket) {
      this.socket = undefined;
      this.fd = undefined;
    }
    socket.destroy(); // closes the fd
  }

  private fail(error: Error): void {
    this.events.onError(error);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.closing) this.open();
    }, this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
  }
}

/** Destroys `socket` and resolves once its fd is closed. */
function destroyed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.closed) return resolve();
    socket.once('close', () => resolve());
    socket.destroy();
  });
}
