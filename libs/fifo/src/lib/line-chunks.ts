/**
 * POSIX PIPE_BUF on Linux: a write(2) of at most this many bytes to a pipe is atomic — all of
 * it lands in the pipe contiguously or none of it does, never interleaved with another writer
 * and never cut short when the reader goes away.
 */
export const PIPE_BUF = 4096;

const NEWLINE = 0x0a;

/**
 * Splits `data` into the pieces to hand to write(2): each piece is whole lines and at most
 * `limit` bytes, except a single line longer than `limit`, which is a piece of its own (written
 * non-atomically: nothing can make it atomic). An unterminated tail counts as a line.
 * Pieces are views of `data`, not copies.
 */
export function lineChunks(data: Buffer, limit: number = PIPE_BUF): Buffer[] {
  const chunks: Buffer[] = [];
  let start = 0;
  while (start < data.length) {
    if (data.length - start <= limit) {
      chunks.push(data.subarray(start));
      break;
    }
    const lastNewline = data.lastIndexOf(NEWLINE, start + limit - 1);
    let end: number;
    if (lastNewline >= start) {
      end = lastNewline + 1;
    } else {
      const next = data.indexOf(NEWLINE, start + limit);
      end = next === -1 ? data.length : next + 1;
    }
    chunks.push(data.subarray(start, end));
    start = end;
  }
  return chunks;
}

/** `lines` as bytes, each followed by `\n`. */
export function encodeLines(lines: readonly string[]): Buffer {
  return lines.length === 0 ? Buffer.alloc(0) : Buffer.from(lines.join('\n') + '\n', 'utf8');
}
