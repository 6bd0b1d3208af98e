import fc from 'fast-check';
import { countLines, LineSplitter } from './line-splitter';

function split(chunks: string[], maxCarryBytes?: number): string[] {
  const splitter = new LineSplitter(maxCarryBytes);
  const out: string[] = [];
  for (const chunk of chunks) {
    const ready = splitter.push(Buffer.from(chunk));
    if (ready) out.push(ready.toString());
  }
  const tail = splitter.end();
  if (tail) out.push(tail.toString());
  return out;
}

describe('LineSplitter', () => {
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

  it('passes an over-long line on in parts instead of holding it', () => {
    expect(split(['aaaa', 'aaaa', 'aa\nb'], 8)).toEqual(['aaaaaaaa', 'aa\n', 'b\n']);
  });

  it('forwards every byte in order, whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 20 })),
        fc.integer({ min: 1, max: 32 }),
        (chunks, max) => {
          const input = chunks.join('');
          const output = split(chunks, max).join('');
          expect(output).toBe(input === '' || input.endsWith('\n') ? input : `${input}\n`);
        },
      ),
    );
  });
});

describe('countLines', () => {
  it('counts newline bytes', () => {
    expect(countLines(Buffer.from('a\nb\r\n\n'))).toBe(3);
    expect(countLines(Buffer.from('abc'))).toBe(0);
  });
});
