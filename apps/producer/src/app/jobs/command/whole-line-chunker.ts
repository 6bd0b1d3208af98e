import { MAX_LINE_BYTES } from '@tally/event-schema';

const NEWLINE = 0x0a;
const LF = Buffer.from('\n');

/**
 * Cuts a byte stream (GENERATOR_CMD's stdout) into chunks of whole lines, bytes untouched (a
 * `\r` before `\n` stays, and invalid UTF-8 is passed on for the ingest to judge). Unlike
 * `@tally/event-schema`'s LineSplitter (one line at a time to a sink, an over-long line
 * reported and dropped), it returns whole-line chunks to forward. Every line leaves here
 * whole and `\n`-terminated, so it reaches the ingest as one line in both transports: a stream
 * entry must end with a whole line, and a FIFO line must not be split between two readers'
 * shares more than the pipe itself does.
 *
 * Memory bound: between pushes it holds at most `maxLineBytes + 1` bytes of an unterminated
 * line (SPEC §1's limit, 1 MiB, plus the one byte that proves a line too long), and a push
 * returns at most that plus the chunk plus one byte ({@link WholeLineChunker.push}).
 *
 * A line longer than `maxLineBytes` (bytes before its `\n`, a `\r` included) is malformed
 * whatever it holds (SPEC §1) and is never buffered whole: it is forwarded as ONE line made of
 * its first `maxLineBytes + 1` bytes and a `\n`, malformed by its size alone at the ingest, and
 * the rest of it is discarded up to its `\n`. So each input line is exactly one output line,
 * and what the ingest counts (events, malformed lines, words) is what it would count from the
 * input itself.
 */
export class WholeLineChunker {
  /** Pieces of the unterminated line (views of pushed chunks), `carryBytes` in all. */
  private carry: Buffer[] = [];
  private carryBytes = 0;
  /** True after an over-long line was forwarded cut short and its `\n` has not come yet. */
  private skipping = false;

  /**
   * @param maxLineBytes the longest line forwarded as it is (SPEC §1: 1,048,576)
   * @throws RangeError when `maxLineBytes` is not a non-negative safe integer
   */
  constructor(private readonly maxLineBytes = MAX_LINE_BYTES) {
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 0) {
      throw new RangeError(`maxLineBytes must be a non-negative integer, got ${maxLineBytes}`);
    }
  }

  /** Bytes of the unterminated line held now; never more than `maxLineBytes`. */
  get bufferedBytes(): number {
    return this.carryBytes;
  }

  /**
   * Adds `chunk` (kept by reference while part of it is an unterminated line: do not reuse
   * it); returns a new buffer of the whole lines it completes, each ending in `\n`, or
   * undefined when it completes none. The result holds at most `bufferedBytes` (before the
   * push) + `chunk.length` + 1 bytes.
   */
  push(chunk: Buffer): Buffer | undefined {
    const out: Buffer[] = [];
    let start = 0;
    if (this.skipping || this.carryBytes > 0) {
      const lf = chunk.indexOf(NEWLINE);
      if (lf === -1) {
        if (!this.skipping) this.keep(chunk, 0, out);
        return joined(out);
      }
      if (this.skipping) this.skipping = false;
      else this.finishCarried(chunk.subarray(0, lf), out);
      start = lf + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= start) {
      // No line in chunk[start, last) can be longer than that whole range: when it is within
      // the limit (the usual case), its lines go on without looking at each.
      if (last - start <= this.maxLineBytes) out.push(chunk.subarray(start, last + 1));
      else this.cutLongLines(chunk, start, last, out);
      start = last + 1;
    }
    if (start < chunk.length) this.keep(chunk, start, out);
    return joined(out);
  }

  /** At the end of the stream: an unterminated last line, given its `\n`, or undefined. */
  end(): Buffer | undefined {
    this.skipping = false;
    if (this.carryBytes === 0) return undefined;
    const line = Buffer.concat([...this.carry, LF]);
    this.carry = [];
    this.carryBytes = 0;
    return line;
  }

  /** The lines of chunk[start, last], each ending in `\n`, the over-long ones cut short. */
  private cutLongLines(chunk: Buffer, start: number, last: number, out: Buffer[]): void {
    let run = start; // start of the lines not yet passed on
    let at = start;
    while (at <= last) {
      const lf = chunk.indexOf(NEWLINE, at); // found: chunk[last] is a `\n`
      if (lf - at > this.maxLineBytes) {
        if (at > run) out.push(chunk.subarray(run, at));
        out.push(chunk.subarray(at, at + this.maxLineBytes + 1), LF);
        run = lf + 1;
      }
      at = lf + 1;
    }
    if (run <= last) out.push(chunk.subarray(run, last + 1));
  }

  /** Ends the carried line with `rest` (the bytes before its `\n`) and passes it on. */
  private finishCarried(rest: Buffer, out: Buffer[]): void {
    const room = this.maxLineBytes + 1 - this.carryBytes;
    out.push(...this.carry, rest.length > room ? rest.subarray(0, room) : rest, LF);
    this.carry = [];
    this.carryBytes = 0;
  }

  /**
   * Carries chunk[from, end) into the next push, or, once the line is longer than the limit,
   * passes on its first `maxLineBytes + 1` bytes as one line and skips the rest of it.
   */
  private keep(chunk: Buffer, from: number, out: Buffer[]): void {
    const total = this.carryBytes + chunk.length - from;
    if (total <= this.maxLineBytes) {
      this.carry.push(chunk.subarray(from));
      this.carryBytes = total;
      return;
    }
    const room = this.maxLineBytes + 1 - this.carryBytes;
    out.push(...this.carry, chunk.subarray(from, from + room), LF);
    this.carry = [];
    this.carryBytes = 0;
    this.skipping = true;
  }
}

function joined(parts: Buffer[]): Buffer | undefined {
  return parts.length === 0 ? undefined : Buffer.concat(parts);
}

/** How many `\n` bytes `bytes` holds: the lines it completes. */
export function countLines(bytes: Buffer): number {
  let lines = 0;
  for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) lines++;
  return lines;
}
