import type { CountEntry } from '@tally/aggregation';
import { countsToJson as countsToBytes, countsToJsonSync } from './json-counts';

const countsToJson = (entries: readonly CountEntry[]) => countsToJsonSync(entries).toString('utf8');

/** The key/value pairs of a JSON object text, in the order they appear in the text. */
function pairsInTextOrder(text: string): [string, unknown][] {
  const pairs: [string, unknown][] = [];
  // JSON.parse would hand back an object whose key order is not the text's ("42" first), so
  // walk the raw text member by member. Values are plain integers, so "," ends a value.
  expect(text.startsWith('{') && text.endsWith('}')).toBe(true);
  const body = text.slice(1, -1);
  let i = 0;
  while (i < body.length) {
    const keyEnd = endOfJsonString(body, i);
    const key = JSON.parse(body.slice(i, keyEnd)) as string;
    expect(body[keyEnd]).toBe(':');
    let valueEnd = body.indexOf(',', keyEnd);
    if (valueEnd === -1) valueEnd = body.length;
    pairs.push([key, JSON.parse(body.slice(keyEnd + 1, valueEnd))]);
    i = valueEnd + 1;
  }
  return pairs;
}

function endOfJsonString(text: string, start: number): number {
  expect(text[start]).toBe('"');
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  throw new Error('unterminated string');
}

describe('countsToJson', () => {
  it('writes an empty object for no entries', () => {
    expect(countsToJson([])).toBe('{}');
  });

  it('writes the entries in the order given, integer-like keys included', () => {
    const entries: CountEntry[] = [
      ['foo', 3],
      ['42', 2],
      ['bar', 2],
      ['7', 1],
    ];
    expect(countsToJson(entries)).toBe('{"foo":3,"42":2,"bar":2,"7":1}');
  });

  it('round-trips keys that a plain object would lose or reorder', () => {
    const entries: CountEntry[] = [
      ['__proto__', 9],
      ['constructor', 8],
      ['toString', 7],
      ['42', 6],
      ['say "hi"', 5],
      ['back\\slash', 4],
      ['😀', 3],
      ['line\nbreak', 2],
      ['\u0000', 1],
      ['', 1],
    ];
    const text = countsToJson(entries);
    expect(pairsInTextOrder(text)).toEqual(entries);
    // JSON.parse gives the same key set and counts (own data property for "__proto__").
    const parsed = JSON.parse(text) as Record<string, number>;
    expect(Object.getOwnPropertyNames(parsed).sort()).toEqual(entries.map(([k]) => k).sort());
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toBe(9);
  });

  it('writes a lone surrogate as an escape, so the text stays valid UTF-8', () => {
    expect(countsToJson([['\ud800', 1]])).toBe('{"\\ud800":1}');
  });

  it('rejects a count that is not a finite number', () => {
    expect(() => countsToJson([['x', Number.NaN]])).toThrow('count of "x" is not a finite number');
  });

  it('serializes a large vocabulary', () => {
    const entries: CountEntry[] = Array.from({ length: 200_000 }, (_, i) => [`w${i}`, 200_000 - i]);
    const text = countsToJson(entries);
    expect(text.startsWith('{"w0":200000,"w1":199999,')).toBe(true);
    expect(Object.keys(JSON.parse(text) as object)).toHaveLength(200_000);
  });

  it('writes the same bytes whatever the piece size, characters across piece ends included', async () => {
    const entries: CountEntry[] = Array.from({ length: 500 }, (_, i) => [
      i % 3 === 0 ? `😀${i}` : i % 3 === 1 ? `é"${i}` : `w${i}`,
      500 - i,
    ]);
    const whole = countsToJsonSync(entries);
    for (const chunkChars of [1, 7, 64, 1000, Number.MAX_SAFE_INTEGER]) {
      expect((await countsToBytes(entries, chunkChars)).equals(whole)).toBe(true);
    }
    expect(pairsInTextOrder(whole.toString('utf8'))).toEqual(entries);
  });

  it('lets the event loop run between pieces', async () => {
    const entries: CountEntry[] = Array.from({ length: 1000 }, (_, i) => [`w${i}`, 1000 - i]);
    let ran = false;
    setImmediate(() => (ran = true));
    const text = (await countsToBytes(entries, 100)).toString();
    expect(ran).toBe(true);
    expect(text).toBe(countsToJson(entries));
  });

  it('rejects a non-finite count in any piece', async () => {
    const entries: CountEntry[] = [
      ...Array.from({ length: 50 }, (_, i): CountEntry => [`w${i}`, 1]),
      ['x', Infinity],
    ];
    await expect(countsToBytes(entries, 10)).rejects.toThrow('count of "x" is not a finite number');
  });
});
