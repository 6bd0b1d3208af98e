const NEWLINE = 0x0a;

/**
 * Cuts a byte stream into line-aligned pieces, bytes untouched (a `\r` before `\n` stays, and
 * invalid UTF-8 is passed on for the reader to judge). A line longer than `maxCarryBytes` is
 * passed on in parts rather than held whole, so memory stays bounded; it then reaches the FIFO
 * in several writes, which is fine for the one writer a FIFO has here.
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  /** True after part of an over-long line was passed on and its end has not come yet. */
  private midLine = false;

  constructor(private readonly maxCarryBytes = 64 * 1024) {}

  /**
   * Adds `chunk`; returns the bytes ready to forward — complete lines, ending in `\n`, or part
   * of an over-long line — or undefined when nothing is ready yet.
   */
  push(chunk: Buffer): Buffer | undefined {
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline === -1) {
      this.keep(chunk);
      if (this.carryBytes < this.maxCarryBytes) return undefined;
      this.midLine = true;
      return this.takeCarry();
    }
    this.midLine = false;
    const ready = Buffer.concat([...this.carry, chunk.subarray(0, lastNewline + 1)]);
    this.carry = [];
    this.carryBytes = 0;
    this.keep(chunk.subarray(lastNewline + 1));
    return ready;
  }

  /** At the end of the stream: an unterminated last line, given its `\n`, or undefined. */
  end(): Buffer | undefined {
    if (this.carryBytes === 0 && !this.midLine) return undefined;
    this.midLine = false;
    return Buffer.concat([this.takeCarry(), Buffer.from('\n')]);
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.carry.push(bytes);
    this.carryBytes += bytes.length;
  }

  private takeCarry(): Buffer {
    const bytes = Buffer.concat(this.carry);
    this.carry = [];
    this.carryBytes = 0;
    return bytes;
  }
}

/** How many `\n` bytes `bytes` holds: the lines it completes. */
export function countLines(bytes: Buffer): number {
  let lines = 0;
  for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) lines++;
  return lines;
}
