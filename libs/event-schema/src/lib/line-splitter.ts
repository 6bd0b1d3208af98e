import { Buffer } from 'node:buffer';
import { MALFORMED_SAMPLE_BYTES, MAX_LINE_BYTES } from './event';

const LF = 0x0a;
/** First size of the buffer that holds a line spanning chunks; it doubles up to the line limit. */
const INITIAL_CARRY_BYTES = 4096;

/** Receives the lines of a byte stream, in stream order. Neither method may throw. */
export interface LineSink {
  /**
   * One complete line without its `\n` (a `\r` before it is kept: the parser strips it).
   * `bytes` is a view into the pushed chunk or into the splitter's own buffer and is reused
   * afterwards: consume it synchronously, or copy it (`Buffer.from(bytes)`) to keep it.
   */
  line(bytes: Buffer): void;
  /**
   * When present, called instead of `line` with the line as `bytes[start, end)`, where `bytes`
   * is the pushed chunk or the splitter's own buffer (same lifetime rules): saves the hot path
   * a Buffer view per line.
   */
  lineAt?(bytes: Buffer, start: number, end: number): void;
  /**
   * One line longer than the limit, reported once when detected; its bytes are discarded.
   * `head` holds the line's first bytes (at least the first MALFORMED_SAMPLE_BYTES of them,
   * or all that had arrived): a view with the same lifetime rules as `line`'s. `seen` is how
   * many bytes of it had been read when it was found too long (all of them when its `\n` was
   * there: then it is its length).
   */
  oversize(head: Buffer, seen: number): void;
}

/**
 * Splits a byte stream (the FIFO) into lines at `\n` (SPEC §1), holding at most `maxLineBytes`
 * of a line at any time: a longer line is reported once through `sink.oversize()` and skipped
 * up to its `\n`, never buffered whole. Lines inside one chunk are emitted as views without
 * copying; only a line that spans chunks is copied, into one reused buffer.
 */
export class LineSplitter {
  private carry: Buffer = Buffer.alloc(0);
  private carryBytes = 0;
  private skipping = false;

  /**
   * @param sink - receives each line (see {@link LineSink} for how long a line's bytes live)
   * @param maxLineBytes - the longest line emitted, in bytes before the `\n`, `\r` included
   * @throws RangeError when `maxLineBytes` is not a non-negative safe integer
   */
  constructor(
    private readonly sink: LineSink,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 0) {
      throw new RangeError(`maxLineBytes must be a non-negative integer, got ${maxLineBytes}`);
    }
  }

  /** True while an unterminated line is buffered or being skipped (its `\n` has not come yet). */
  get hasPartialLine(): boolean {
    return this.skipping || this.carryBytes > 0;
  }

  /** Bytes of the unterminated line held now; never more than `maxLineBytes`. */
  get bufferedBytes(): number {
    return this.carryBytes;
  }

  /** Feed the next chunk of the stream: emits every line it completes. */
  push(chunk: Buffer): void {
    let start = 0;
    if (this.skipping || this.carryBytes > 0) {
      const lf = chunk.indexOf(LF);
      if (lf === -1) {
        if (!this.skipping) this.keep(chunk, 0);
        return;
      }
      if (this.skipping) this.skipping = false;
      else this.finishCarried(chunk, lf);
      start = lf + 1;
    }
    const sink = this.sink;
    const max = this.maxLineBytes;
    const lineAt = sink.lineAt;
    for (let lf = chunk.indexOf(LF, start); lf !== -1; lf = chunk.indexOf(LF, start)) {
      if (lf - start > max) sink.oversize(chunk.subarray(start, lf), lf - start);
      else if (lineAt !== undefined) lineAt.call(sink, chunk, start, lf);
      else sink.line(chunk.subarray(start, lf));
      start = lf + 1;
    }
    if (start < chunk.length) this.keep(chunk, start);
  }

  /**
   * End of stream (every writer closed the FIFO): an unterminated remainder is a complete line
   * and is emitted; a line being skipped was already reported. The splitter is then empty and
   * ready for the next writer's stream.
   */
  end(): void {
    if (this.carryBytes > 0) {
      const length = this.carryBytes;
      this.carryBytes = 0;
      this.emit(this.carry, length);
    }
    this.skipping = false;
  }

  /** Complete the carried line with `chunk[0, lf)` and emit it. */
  private finishCarried(chunk: Buffer, lf: number): void {
    const total = this.carryBytes + lf;
    if (total > this.maxLineBytes) {
      const head = this.head(chunk, 0, lf);
      this.carryBytes = 0;
      this.sink.oversize(head, total);
      return;
    }
    this.reserve(total);
    chunk.copy(this.carry, this.carryBytes, 0, lf);
    this.carryBytes = 0;
    this.emit(this.carry, total);
  }

  /** Emits `bytes[0, length)` through whichever of `lineAt` and `line` the sink has. */
  private emit(bytes: Buffer, length: number): void {
    if (this.sink.lineAt !== undefined) this.sink.lineAt(bytes, 0, length);
    else this.sink.line(bytes.subarray(0, length));
  }

  /** Carry `chunk[from, end)` into the next push, or start skipping once it breaks the limit. */
  private keep(chunk: Buffer, from: number): void {
    const total = this.carryBytes + chunk.length - from;
    if (total > this.maxLineBytes) {
      const head = this.head(chunk, from, chunk.length);
      this.carryBytes = 0;
      this.skipping = true;
      this.sink.oversize(head, total);
      return;
    }
    this.reserve(total);
    // Copied, not referenced: the caller may reuse its chunk once push returns.
    chunk.copy(this.carry, this.carryBytes, from);
    this.carryBytes = total;
  }

  /**
   * The first bytes of the line carried so far followed by `chunk[from, to)`: the carry when
   * it holds a whole sample, else a copy of both up to the sample size (the rare case of a
   * line cut short of 256 bytes by a chunk's end and then found too long).
   */
  private head(chunk: Buffer, from: number, to: number): Buffer {
    if (this.carryBytes >= MALFORMED_SAMPLE_BYTES) return this.carry.subarray(0, this.carryBytes);
    if (this.carryBytes === 0) return chunk.subarray(from, to);
    const rest = Math.min(to - from, MALFORMED_SAMPLE_BYTES - this.carryBytes);
    return Buffer.concat([
      this.carry.subarray(0, this.carryBytes),
      chunk.subarray(from, from + rest),
    ]);
  }

  /** Grow the carry buffer (doubling, capped at the line limit) to hold `bytes`. */
  private reserve(bytes: number): void {
    if (bytes <= this.carry.length) return;
    let size = Math.max(this.carry.length * 2, INITIAL_CARRY_BYTES);
    while (size < bytes) size *= 2;
    const grown = Buffer.allocUnsafe(Math.min(size, this.maxLineBytes));
    this.carry.copy(grown, 0, 0, this.carryBytes);
    this.carry = grown;
  }
}
