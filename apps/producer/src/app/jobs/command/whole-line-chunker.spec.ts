import { MAX_LINE_BYTES } from '@tally/event-schema';
import fc from 'fast-check';
import { countLines, WholeLineChunker } from './whole-line-chunker';

function splitBytes(chunks: Buffer[], maxLineBytes?: number): Buffer[] {
  const chunker = new WholeLineChunker(maxLineBytes);
  const out: Buffer[] = [];
  for (const chunk of chunks) {
    const ready = chunker.push(chunk);
    if (ready) out.push(ready);
  }
  const tail = chunker.end();
  if (tail) out.push(tail);
  return out;
}

function split(chunks: string[], maxLineBytes?: number): string[] {
  return splitBytes(
    chunks.map((c) => Buffer.from(c)),
    maxLineBytes,
  ).map((b) => b.toString());
}

/** What must come out, line by line: each line whole, one past the limit cut to limit + 1. */
function expectedOutput(input: string, max: number): string {
  if (input === '') return '';
  const lines = (input.endsWith('\n') ? input.slice(0, -1) : input).split('\n');
  return lines.map((line) => `${line.length > max ? line.slice(0, max + 1) : line}\n`).join('');
}

/** `bytes` in pieces of `size` bytes, as a pipe delivers them. */
function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

describe('WholeLineChunker', () => {
  it('joins lines cut across chunks', () => {
    expect(split(['a\nb', 'b\nc', 'c'])).toEqual(['a\n', 'bb\n', 'cc\n']);
  });

  it('keeps CRLF as it is', () => {
    expect(split(['x\r\ny\r', '\n'])).toEqual(['x\r\n', 'y\r\n']);
  });

  it('gives an unterminated last line its newline', () => {
    expect(split(['a\nb\nc'])).toEqual(['a\nb\n', 'c\n']);
    expect(split(['a\n'])).toEqual(['a\n']);
    expect(split([])).toEqual([]);
  });

  it('holds a line up to the limit until its end, however it is cut into chunks', () => {
    expect(split(['aaaa', 'aaaa', '\nb'], 8)).toEqual(['aaaaaaaa\n', 'b\n']);
    expect(split(['x\naaa', 'aaaaa'], 8)).toEqual(['x\n', 'aaaaaaaa\n']);
  });

  it('forwards a line past the limit as one line of limit + 1 bytes and drops the rest of it', () => {
    // Across chunks: detected when the carry passes the limit, the rest skipped to its `\n`.
    expect(split(['aaaa', 'aaaa', 'aXYZ', 'ZZ\nb'], 8)).toEqual(['aaaaaaaaa\n', 'b\n']);
    // Inside one chunk, between lines within the limit.
    expect(split(['ok\n0123456789abc\nfine\n'], 8)).toEqual(['ok\n012345678\nfine\n']);
    // Ending a carried line.
    expect(split(['0123', '456789\nz\n'], 8)).toEqual(['012345678\nz\n']);
    // Unterminated at the end of the stream: already forwarded, with its `\n`.
    expect(split(['0123456789'], 8)).toEqual(['012345678\n']);
  });

  it('counts a trailing \\r as part of the line, as SPEC §1 does', () => {
    // 9 bytes with the \r: too long, forwarded as its first 9 bytes, \r included (still too long).
    expect(split(['aaaaaaaa\r\n'], 8)).toEqual(['aaaaaaaa\r\n']);
    expect(split(['aaaaaaaa\rtail\n'], 8)).toEqual(['aaaaaaaa\r\n']);
    expect(split(['aaaaaaa\r\n'], 8)).toEqual(['aaaaaaa\r\n']);
  });

  it('turns every input line into exactly one output line, whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '\r', '\n'), maxLength: 40 })),
        fc.integer({ min: 0, max: 32 }),
        (chunks, max) => {
          const chunker = new WholeLineChunker(max);
          const out: string[] = [];
          for (const chunk of chunks) {
            const before = chunker.bufferedBytes;
            const ready = chunker.push(Buffer.from(chunk));
            expect(chunker.bufferedBytes).toBeLessThanOrEqual(max);
            if (ready === undefined) continue;
            expect(ready.length).toBeLessThanOrEqual(before + chunk.length + 1);
            expect(ready[ready.length - 1]).toBe(0x0a);
            out.push(ready.toString());
          }
          const tail = chunker.end();
          if (tail) out.push(tail.toString());
          expect(out.join('')).toBe(expectedOutput(chunks.join(''), max));
        },
      ),
    );
  });

  describe('at SPEC §1 sizes, in 64 KiB chunks as a pipe delivers them', () => {
    const line = (bytes: number, fill = 'x') => Buffer.alloc(bytes, fill);
    const stream = (...lines: Buffer[]) =>
      Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));

    it.each([
      ['of 200 KiB', 200 * 1024],
      ['of 1 MiB - 1', MAX_LINE_BYTES - 1],
      ['of exactly 1 MiB', MAX_LINE_BYTES],
    ])('forwards a line %s whole, in one piece', (_name, size) => {
      const input = stream(line(10, 'a'), line(size), line(10, 'b'));
      const out = splitBytes(pieces(input, 64 * 1024));
      // (Buffer.equals: jest's toEqual compares a MiB byte by byte, slowly.)
      expect(Buffer.concat(out).equals(input)).toBe(true);
      // The long line is inside one forwarded piece, never cut between two.
      expect(out.some((piece) => piece.includes(line(size)))).toBe(true);
    });

    it.each([
      ['of 1 MiB + 1', MAX_LINE_BYTES + 1],
      ['of 5 MiB', 5 * MAX_LINE_BYTES],
    ])(
      'forwards a line %s as one line of 1 MiB + 1 bytes, holding no more than 1 MiB',
      (_n, size) => {
        const input = stream(line(10, 'a'), line(size), line(10, 'b'));
        const chunker = new WholeLineChunker();
        const out: Buffer[] = [];
        let mostHeld = 0;
        for (const chunk of pieces(input, 64 * 1024)) {
          const ready = chunker.push(chunk);
          if (ready) out.push(ready);
          mostHeld = Math.max(mostHeld, chunker.bufferedBytes);
        }
        expect(chunker.end()).toBeUndefined();
        expect(mostHeld).toBeLessThanOrEqual(MAX_LINE_BYTES);
        const forwarded = Buffer.concat(out);
        expect(countLines(forwarded)).toBe(3);
        const cut = stream(line(10, 'a'), line(MAX_LINE_BYTES + 1), line(10, 'b'));
        expect(forwarded.equals(cut)).toBe(true);
      },
    );
  });
});

describe('countLines', () => {
  it('counts newline bytes', () => {
    expect(countLines(Buffer.from('a\nb\r\n\n'))).toBe(3);
    expect(countLines(Buffer.from('abc'))).toBe(0);
  });
});
