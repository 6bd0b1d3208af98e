import fc from 'fast-check';
import { encodeLines, lineChunks, PIPE_BUF } from './line-chunks';

const lines = (n: number, width: number) => Buffer.from(`${'a'.repeat(width - 1)}\n`.repeat(n));

describe('lineChunks', () => {
  it('keeps data of at most PIPE_BUF bytes in one piece', () => {
    const data = lines(64, 64);
    expect(lineChunks(data)).toEqual([data]);
  });

  it('cuts at the last line end that fits in PIPE_BUF', () => {
    const chunks = lineChunks(lines(100, 100)); // 10,000 bytes; 40 lines fit in 4096
    expect(chunks.map((c) => c.length)).toEqual([4000, 4000, 2000]);
  });

  it('writes a line longer than PIPE_BUF as a piece of its own', () => {
    const long = `${'b'.repeat(10_000)}\n`;
    const data = Buffer.from(`short\n${long}short\n`);
    expect(lineChunks(data).map((c) => c.toString())).toEqual(['short\n', long, 'short\n']);
  });

  it('treats an unterminated tail as a line', () => {
    const data = Buffer.from(`${'c'.repeat(4095)}\nend`);
    expect(lineChunks(data).map((c) => c.toString())).toEqual([`${'c'.repeat(4095)}\n`, 'end']);
  });

  it('returns nothing for empty data', () => {
    expect(lineChunks(Buffer.alloc(0))).toEqual([]);
  });

  it('always returns whole lines within the limit, in order, without losing a byte', () => {
    const line = fc.string({ maxLength: 300 }).map((s) => s.replace(/\n/g, ' '));
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 200 }),
        fc.integer({ min: 16, max: 512 }),
        (ls, limit) => {
          const data = encodeLines(ls);
          const chunks = lineChunks(data, limit);
          expect(Buffer.concat(chunks).equals(data)).toBe(true);
          for (const chunk of chunks) {
            expect(chunk[chunk.length - 1]).toBe(0x0a);
            const isOneLine = chunk.indexOf(0x0a) === chunk.length - 1;
            expect(chunk.length <= limit || isOneLine).toBe(true);
          }
        },
      ),
    );
  });

  it('uses the Linux PIPE_BUF', () => {
    expect(PIPE_BUF).toBe(4096);
  });
});

describe('encodeLines', () => {
  it('ends every line with \\n and keeps \\r', () => {
    expect(encodeLines(['a', 'b\r', '']).toString()).toBe('a\nb\r\n\n');
    expect(encodeLines([]).length).toBe(0);
  });
});
