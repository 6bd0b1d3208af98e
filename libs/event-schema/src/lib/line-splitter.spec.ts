import fc from 'fast-check';
import { MAX_LINE_BYTES } from './event';
import { LineSplitter } from './line-splitter';

const OVERSIZE = '<oversize>';

/** A splitter whose sink records lines (copied: the views are reused) and oversize reports. */
function recorder(maxLineBytes?: number, inPlace = false) {
  const seen: string[] = [];
  const splitter = new LineSplitter(
    {
      line: (bytes) => seen.push(bytes.toString('latin1')),
      // The in-place variant (the ingest's): the line is bytes[start, end).
      lineAt: inPlace
        ? (bytes, start, end) => seen.push(bytes.toString('latin1', start, end))
        : undefined,
      oversize: () => seen.push(OVERSIZE),
    },
    maxLineBytes,
  );
  return { seen, splitter };
}

/** The reference: split the whole stream at once; a non-empty remainder is the last line. */
function naiveLines(stream: string, maxLineBytes: number): string[] {
  const lines = stream.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.length > maxLineBytes ? OVERSIZE : line));
}

/** Push `stream` cut at `cuts`, then end it; checks the memory bound after every push. */
function splitInChunks(
  stream: string,
  cuts: number[],
  maxLineBytes: number,
  inPlace = false,
): string[] {
  const { seen, splitter } = recorder(maxLineBytes, inPlace);
  const bytes = Buffer.from(stream, 'latin1');
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    splitter.push(bytes.subarray(from, to));
    expect(splitter.bufferedBytes).toBeLessThanOrEqual(maxLineBytes);
    from = to;
  }
  splitter.end();
  expect(splitter.hasPartialLine).toBe(false);
  return seen;
}

describe('LineSplitter', () => {
  const max = 6;
  const stream = 'ab\n\ncd\r\n1234567\nefghij\n\r\nxyz123456789\nk\n\nlast';

  it('gives the naive split for every pair of cut points in a small stream', () => {
    const expected = naiveLines(stream, max);
    expect(expected).toEqual([
      'ab',
      '',
      'cd\r',
      OVERSIZE,
      'efghij',
      '\r',
      OVERSIZE,
      'k',
      '',
      'last',
    ]);
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) {
        expect(splitInChunks(stream, [i, j], max)).toEqual(expected);
        expect(splitInChunks(stream, [i, j], max, true)).toEqual(expected);
      }
    }
  });

  it('gives the naive split for random streams, chunkings and limits', () => {
    const streamArb = fc.string({ unit: fc.constantFrom('a', 'b', '\r', '\n'), maxLength: 60 });
    fc.assert(
      fc.property(
        streamArb,
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.nat({ max: 10 }),
        (text, rawCuts, limit) => {
          const cuts = rawCuts.map((c) => c % (text.length + 1)).sort((x, y) => x - y);
          expect(splitInChunks(text, cuts, limit)).toEqual(naiveLines(text, limit));
          expect(splitInChunks(text, cuts, limit, true)).toEqual(naiveLines(text, limit));
        },
      ),
      { seed: 20240601, numRuns: 2000 },
    );
  });

  // One case per row: kept as a table on purpose.
  // prettier-ignore
  const chunkCases: Array<[string, string[], string[]]> = [
    ['emits every line of one chunk', ['a\nb\n'], ['a', 'b']],
    ['joins a line that spans three chunks', ['ab', 'cd', 'ef\n'], ['abcdef']],
    ['keeps the carriage return for the parser to strip', ['a\r\n'], ['a\r']],
    ['emits an empty line between two newlines', ['\n\n'], ['', '']],
    ['flushes an unterminated remainder at end', ['a\nrest'], ['a', 'rest']],
    ['emits nothing extra at end after a trailing newline', ['a\n'], ['a']],
    ['emits nothing for an empty stream', [], []],
    ['ignores empty chunks anywhere', ['', 'a', '', '\n', ''], ['a']],
    ['emits a line of exactly the limit', ['12345678\n'], ['12345678']],
    ['reports a line one byte over the limit', ['123456789\n'], [OVERSIZE]],
    ['counts the carriage return in the limit', ['1234567\r\n', '12345678\r\n'], ['1234567\r', OVERSIZE]],
    ['reports an oversize line once and keeps the next lines', ['a\n', 'x'.repeat(30), '\nb\n'], ['a', OVERSIZE, 'b']],
    ['reports an oversize line completed by the next chunk', ['1234', '56789\nok\n'], [OVERSIZE, 'ok']],
    ['reports an oversize unterminated remainder once, not again at end', ['ok\n', 'x'.repeat(20)], ['ok', OVERSIZE]],
  ];

  it.each(chunkCases)('%s', (_name, chunks, expected) => {
    const { seen, splitter } = recorder(8);
    for (const chunk of chunks) splitter.push(Buffer.from(chunk));
    splitter.end();
    expect(seen).toEqual(expected);
  });

  it.each([
    ['in one chunk', ['a\n', 'x'.repeat(30), '\nb\n'], 'x'.repeat(30)],
    ['completed by the next chunk', ['1234', '56789\nok\n'], '123456789'],
    ['found too long while carried', ['ok\n', 'abcdefgh', 'ijk', 'lmn\n'], 'abcdefghijk'],
    ['found too long at its first chunk', ['ok\n', 'x'.repeat(20)], 'x'.repeat(20)],
  ])('gives an oversize line its first bytes (%s)', (_name, chunks, head) => {
    const heads: [string, number][] = [];
    const splitter = new LineSplitter(
      {
        line: () => undefined,
        oversize: (bytes, seen) => heads.push([bytes.toString('latin1'), seen]),
      },
      8,
    );
    for (const chunk of chunks) splitter.push(Buffer.from(chunk));
    splitter.end();
    // Each was found too long once the bytes seen passed 8: here, exactly at its head's end.
    expect(heads).toEqual([[head, head.length]]);
  });

  it('gives a long carried line at least its first 256 bytes', () => {
    const heads: Buffer[] = [];
    const splitter = new LineSplitter(
      { line: () => undefined, oversize: (bytes) => heads.push(Buffer.from(bytes)) },
      1000,
    );
    const line = Buffer.from(Array.from({ length: 1500 }, (_, i) => `${i % 10}`).join(''));
    for (let at = 0; at < line.length; at += 7) splitter.push(line.subarray(at, at + 7));
    expect(heads).toHaveLength(1);
    expect(heads[0]?.length).toBeGreaterThanOrEqual(256);
    expect(line.subarray(0, heads[0]?.length).equals(heads[0] ?? Buffer.alloc(0))).toBe(true);
  });

  it('skips an oversize line spanning many chunks without buffering more than the limit', () => {
    const { seen, splitter } = recorder(10);
    splitter.push(Buffer.from('first\nxx'));
    for (let i = 0; i < 1000; i++) {
      splitter.push(Buffer.from('abc'));
      expect(splitter.bufferedBytes).toBeLessThanOrEqual(10);
      expect(splitter.hasPartialLine).toBe(true);
    }
    splitter.push(Buffer.from('tail\nnext\n'));
    expect(seen).toEqual(['first', OVERSIZE, 'next']);
    expect(splitter.hasPartialLine).toBe(false);
  });

  it('handles lines at and over 1 MiB pushed in 64 KiB chunks', () => {
    const { seen, splitter } = recorder();
    const stream = Buffer.concat([
      Buffer.alloc(MAX_LINE_BYTES, 'a'),
      Buffer.from('\n'),
      Buffer.alloc(MAX_LINE_BYTES + 1, 'b'),
      Buffer.from('\nok\n'),
    ]);
    for (let from = 0; from < stream.length; from += 65_536) {
      splitter.push(stream.subarray(from, from + 65_536));
      expect(splitter.bufferedBytes).toBeLessThanOrEqual(MAX_LINE_BYTES);
    }
    splitter.end();
    expect(seen.map((line) => (line === OVERSIZE ? line : line.length))).toEqual([
      MAX_LINE_BYTES,
      OVERSIZE,
      2,
    ]);
  });

  it('reports how much of an unterminated line it holds', () => {
    const { splitter } = recorder(8);
    expect([splitter.hasPartialLine, splitter.bufferedBytes]).toEqual([false, 0]);
    splitter.push(Buffer.from('a\nbcd'));
    expect([splitter.hasPartialLine, splitter.bufferedBytes]).toEqual([true, 3]);
    splitter.push(Buffer.from('efghij'));
    expect([splitter.hasPartialLine, splitter.bufferedBytes]).toEqual([true, 0]);
    splitter.push(Buffer.from('k\n'));
    expect([splitter.hasPartialLine, splitter.bufferedBytes]).toEqual([false, 0]);
  });

  it('starts clean for the next writer after end, even in the middle of skipping', () => {
    const { seen, splitter } = recorder(4);
    splitter.push(Buffer.from('par'));
    splitter.end();
    splitter.push(Buffer.from('tial\nxxxxxx'));
    splitter.end();
    splitter.push(Buffer.from('new\n'));
    splitter.end();
    expect(seen).toEqual(['par', 'tial', OVERSIZE, 'new']);
  });

  it('emits a line inside one chunk as a view, without copying', () => {
    const chunk = Buffer.from('abc\n');
    const views: Buffer[] = [];
    new LineSplitter({ line: (bytes) => views.push(bytes), oversize: () => undefined }).push(chunk);
    expect(views[0].buffer).toBe(chunk.buffer);
    expect(views[0].byteOffset).toBe(chunk.byteOffset);
  });

  it('copies a carried remainder, so the caller may reuse its chunk', () => {
    const { seen, splitter } = recorder();
    const chunk = Buffer.from('abc');
    splitter.push(chunk);
    chunk.fill('z');
    splitter.push(Buffer.from('\n'));
    expect(seen).toEqual(['abc']);
  });

  it.each([-1, 1.5, Number.NaN])('rejects a maxLineBytes of %p', (limit) => {
    expect(() => recorder(limit)).toThrow(RangeError);
  });
});
