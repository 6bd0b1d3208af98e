import { closeSync, readSync } from 'node:fs';
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import { hasCode } from './fd-io';
import { openReadEndSync, pathLeadsTo } from './read-end';

/** The size of one read(2): what libuv reads from a pipe at a time. */
export const READ_CHUNK_BYTES = 64 * 1024;
/** How often an idle reader (no writer connected) looks for a new writer. */
export const IDLE_POLL_MS = 25;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 2_000;

/** Callbacks of a {@link FifoReader}. They run on the event loop and must not throw. */
export interface FifoReaderEvents {
  /** Bytes read from the FIFO, at most 64 KiB, cut anywhere (not at line ends). Yours to keep. */
  onChunk(chunk: Buffer): void;
  /**
   * When present, called instead of `onChunk` with a view into the reader's own buffer, valid
   * only until it returns (the next read overwrites it): no copy per read, for a consumer that
   * uses the bytes at once (the ingest's hot path).
   */
  onBytes?(view: Buffer): void;
  /**
   * Every writer has closed the FIFO: an unterminated remainder is now a complete line
   * (SPEC §1). Not the end: the reader goes on and reads the next writer.
   */
  onEof(): void;
  /** A writer has the FIFO open and reading starts (again). */
  onOpen?(): void;
  /**
   * Opening or reading failed (e.g. the FIFO was removed: ENOENT; something else than a FIFO,
   * a symlink included, was put at the path: FifoReplacedError, and it is never read); the
   * reader retries with a backoff (100 ms doubling to 2 s, so at most one call per 2 s while
   * it lasts) and reads again once a FIFO is there.
   */
  onError(error: Error): void;
}

/** net.Socket accepts `onread` in its constructor (Node docs), @types/node 20 lacks it. */
type PipeSocketOptions = SocketConstructorOpts & { onread: OnReadOpts };

/**
 * The ingest side of a FIFO: reads it without blocking the event loop and outlives its writers.
 *
 * The reader holds a read end of the FIFO from `start()` to `close()`, without a gap. A gap
 * (closing at EOF, then opening again) loses a race: a writer that opens in the gap connects
 * to the read end that is about to close, and its writes fail with EPIPE. So at EOF the reader
 * first opens a new read end, then lets the old one go.
 *
 * Every open uses O_NOFOLLOW and is checked with `fstat` before the first read: a regular
 * file, a symlink or anything else put at the path is never read; it is reported through
 * `onError` (FifoReplacedError) and the reader retries until a FIFO is there again. While no
 * writer is connected it also checks, at each idle poll, that the path still leads to the
 * FIFO it holds (lstat: device and inode), and opens the path again when it does not.
 *
 * The read end is opened non-blocking (no thread waits in `open(2)`). While no writer is
 * connected the reader checks every {@link IDLE_POLL_MS} ms with a non-blocking read: EAGAIN
 * means a writer is there. Then the fd is handed to a net.Socket: libuv treats a FIFO as a
 * pipe and reads it from epoll. The socket uses `onread` with our own buffer rather than a
 * stream, so `pause()` stops reading from the kernel at once: bytes not yet delivered stay in
 * the pipe (and go to the next reader if this one closes) instead of piling up in a buffer.
 */
export class FifoReader {
  /** Our read end: open from `start()` to `close()` (except after an open error). */
  private fd: number | undefined;
  /** Set while a writer is connected: it owns (and closes) `fd`. */
  private socket: Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryDelayMs = RETRY_FIRST_MS;
  private paused = false;
  private started = false;
  private closing = false;
  private closed: Promise<void> | undefined;
  /** Whether bytes arrived since the last EOF, so an EOF without a new writer is not repeated. */
  private sawData = false;
  private readonly readBuffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);

  constructor(
    readonly path: string,
    private readonly events: FifoReaderEvents,
  ) {}

  /** True between `pause()` and `resume()`. */
  get isPaused(): boolean {
    return this.paused;
  }

  /** True while a writer is connected and being read. */
  get isOpen(): boolean {
    return this.socket !== undefined;
  }

  /** Opens the FIFO and starts delivering chunks. Idempotent. */
  start(): void {
    if (this.started || this.closing) return;
    this.started = true;
    if (this.openReadEnd()) this.poll();
  }

  /** Stops reading from the kernel: no `onChunk` until `resume()`. May be called from `onChunk`. */
  pause(): void {
    this.paused = true;
    this.socket?.pause();
  }

  /** Reads again after `pause()`. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.socket) this.socket.resume();
    else if (this.started && !this.closing && this.timer === undefined) this.poll();
  }

  /**
   * Reads, after `pause()`, one byte at a time up to and including the next `\n`, for at most
   * `timeoutMs`, handing the bytes to `onBytes` (in pieces of at most 64 KiB). Byte by byte so
   * that not one byte of the following line is taken out of the pipe: it stays there for the
   * next reader. Used on shutdown to finish the line the ingest is in the middle of (SPEC §5).
   * Resolves early when every writer has closed (EOF).
   */
  async readRestOfLine(timeoutMs: number, onBytes: (bytes: Buffer) => void): Promise<void> {
    if (!this.paused) throw new Error('readRestOfLine: pause() the reader first');
    // Monotonic: a wall clock set back must not stretch the wait.
    const deadline = performance.now() + timeoutMs;
    const piece = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let held = 0;
    const flush = () => {
      if (held > 0) onBytes(Buffer.from(piece.subarray(0, held)));
      held = 0;
    };
    try {
      while (this.fd !== undefined && !this.closing && performance.now() < deadline) {
        let n: number;
        try {
          n = readSync(this.fd, piece, held, 1, null);
        } catch (error) {
          // The fd is non-blocking: EAGAIN means "a writer is there, no byte yet".
          if (!hasCode(error, 'EAGAIN')) throw error;
          await delay(5);
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
   * Stops reading and closes the FIFO; resolves once the fd is closed. Bytes still in the
   * kernel pipe stay there for the next reader. No callback runs after this is called. Safe
   * to call more than once.
   */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      this.fd = undefined;
      await destroyed(socket);
    } else if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** Opens a new non-blocking read end into `fd`; false (and a retry is scheduled) on error. */
  private openReadEnd(): boolean {
    let fd: number;
    try {
      fd = openReadEndSync(this.path);
    } catch (error) {
      this.fail(error as Error);
      return false;
    }
    this.fd = fd;
    this.retryDelayMs = RETRY_FIRST_MS;
    return true;
  }

  /** No writer connected: one non-blocking read tells whether one has come. */
  private poll(): void {
    this.timer = undefined;
    if (this.closing || this.paused || this.socket !== undefined) return;
    if (this.fd === undefined) {
      if (!this.openReadEnd()) return;
    }
    const fd = this.fd as number;
    let n: number;
    try {
      n = readSync(fd, this.readBuffer, 0, READ_CHUNK_BYTES, null);
    } catch (error) {
      if (hasCode(error, 'EAGAIN')) return this.attach(fd); // a writer is connected
      this.dropFd();
      this.fail(error as Error);
      return;
    }
    if (n === 0) {
      // No writer, nothing in the pipe. Bytes read earlier by polling then end a stream.
      if (this.sawData) {
        this.sawData = false;
        this.events.onEof();
      }
      if (this.closing) return;
      // Idle: if the path leads elsewhere now (another FIFO, a file, nothing), no writer can
      // reach the FIFO held here any more. It is empty and has no writer, so letting it go
      // loses nothing: open what is at the path (a FIFO), or report it and retry.
      if (!pathLeadsTo(this.path, fd)) {
        this.dropFd();
        if (!this.openReadEnd()) return;
      }
      this.timer = setTimeout(() => this.poll(), IDLE_POLL_MS);
      return;
    }
    this.sawData = true;
    this.events.onOpen?.();
    this.deliver(n);
    // Probably a writer is still there: let libuv read the rest (an EOF comes as 'end').
    if (!this.closing) this.attach(fd);
  }

  /** Hands the first `n` bytes of the read buffer to the consumer: a view or a copy. */
  private deliver(n: number): void {
    const view = this.readBuffer.subarray(0, n);
    if (this.events.onBytes !== undefined) this.events.onBytes(view);
    else this.events.onChunk(Buffer.from(view));
  }

  private attach(fd: number): void {
    const onread: OnReadOpts = {
      buffer: this.readBuffer,
      callback: (bytes) => {
        if (!this.closing) {
          this.sawData = true;
          this.deliver(bytes);
        }
        return true;
      },
    };
    const options: PipeSocketOptions = { fd, readable: true, writable: false, onread };
    const socket = new Socket(options);
    if (this.paused) socket.pause();
    socket.on('end', () => this.onSocketEnd(socket));
    socket.on('error', (error) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.fd = undefined;
      socket.destroy();
      if (!this.closing) this.fail(error);
    });
    this.socket = socket;
    if (!this.sawData) this.events.onOpen?.();
  }

  /** Every writer closed: open the next read end first, then let the old one go. */
  private onSocketEnd(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.fd = undefined;
    const opened = this.closing ? false : this.openReadEnd();
    socket.destroy(); // closes the old fd, now that a new read end holds the pipe
    if (this.closing) return;
    if (this.sawData) {
      this.sawData = false;
      this.events.onEof();
    }
    if (opened) this.poll();
  }

  private dropFd(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private fail(error: Error): void {
    this.events.onError(error);
    if (this.closing) return;
    this.timer = setTimeout(() => this.poll(), this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Destroys `socket` and resolves once its fd is closed. */
function destroyed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.closed) return resolve();
    socket.once('close', () => resolve());
    socket.destroy();
  });
}
