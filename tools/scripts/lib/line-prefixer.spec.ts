import { LinePrefixer } from './line-prefixer.cjs';

/** Everything a prefixer prints for `chunks`, then the end of the stream. */
function printed(chunks: (string | Buffer)[], maxLineChars?: number): string {
  const prefixer = new LinePrefixer('api | ', { maxLineChars });
  return chunks.map((chunk) => prefixer.push(chunk)).join('') + prefixer.end();
}

describe('LinePrefixer', () => {
  it('prefixes every line of a chunk', () => {
    expect(printed(['one\ntwo\n'])).toBe('api | one\napi | two\n');
  });

  it('prints a line only once its newline has come, however the chunks cut it', () => {
    const prefixer = new LinePrefixer('api | ');
    expect(prefixer.push('{"level":30,')).toBe('');
    expect(prefixer.push('"msg":"hi"')).toBe('');
    expect(prefixer.push('}\n{"le')).toBe('api | {"level":30,"msg":"hi"}\n');
    expect(prefixer.push('vel":40}\n')).toBe('api | {"level":40}\n');
    expect(prefixer.end()).toBe('');
  });

  it('gives every cut of a text the same lines as the whole text', () => {
    const text = 'first line\n\nthird: é, 😀, \u2028 inside\r\nlast without newline';
    const whole = printed([text]);
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(printed([bytes.subarray(0, cut), bytes.subarray(cut)])).toBe(whole);
    }
    expect(whole).toBe(
      'api | first line\napi | \napi | third: é, 😀, \u2028 inside\r\napi | last without newline\n',
    );
  });

  it('keeps a character whose UTF-8 bytes arrive one by one', () => {
    const bytes = Buffer.from('😀\n');
    expect(printed([...bytes].map((byte) => Buffer.from([byte])))).toBe('api | 😀\n');
  });

  it('ends the last line with a newline when the stream had none', () => {
    expect(printed(['no newline'])).toBe('api | no newline\n');
  });

  it('prints nothing for an empty stream', () => {
    expect(printed([])).toBe('');
    expect(printed([''])).toBe('');
  });

  it('holds no more of an unfinished line than the bound: past it, prints what it holds', () => {
    const prefixer = new LinePrefixer('api | ', { maxLineChars: 4 });
    expect(prefixer.push('abcdefghi')).toBe('api | abcd\napi | efgh\n');
    expect(prefixer.push('j\n')).toBe('api | ij\n');
  });
});
