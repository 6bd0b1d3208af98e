import { MALFORMED_RECENT_MAX, MalformedLog, type MalformedSample, sampleText } from './malformed';
import { BatchAggregator } from './batch';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

/** The bytes a sample's text stands for: the inverse of sampleText. */
function readBack(text: string): Buffer {
  const out: Buffer[] = [];
  const re = /\\\\|\\x([0-9A-F]{2})|\\u\{([0-9A-F]{4,6})\}|[^\\]+/gsu;
  for (const m of text.matchAll(re)) {
    if (m[0] === '\\\\') out.push(Buffer.from('\\'));
    else if (m[1] !== undefined) out.push(Buffer.from([parseInt(m[1], 16)]));
    else if (m[2] !== undefined) out.push(Buffer.from(String.fromCodePoint(parseInt(m[2], 16))));
    else out.push(Buffer.from(m[0]));
  }
  return Buffer.concat(out);
}

describe('sampleText', () => {
  it.each([
    ['plain text', bytes('{"a": 1'), '{"a": 1'],
    ['markup, as text', bytes('<script>alert(1)</script>'), '<script>alert(1)</script>'],
    [
      'NUL and other controls',
      bytes([0, 9, 13, 27, 127]),
      '\\u{0000}\\u{0009}\\u{000D}\\u{001B}\\u{007F}',
    ],
    ['a backslash', bytes('a\\b'), 'a\\\\b'],
    ['invalid UTF-8 bytes', bytes('a', [0xff, 0xc0, 0x80], 'b'), 'a\\xFF\\xC0\\x80b'],
    ['an encoded surrogate', bytes([0xed, 0xa0, 0x80]), '\\xED\\xA0\\x80'],
    ['an overlong NUL', bytes([0xe0, 0x80, 0x80]), '\\xE0\\x80\\x80'],
    ['a cut-off sequence at the end', bytes('é', [0xe2, 0x82]), 'é\\xE2\\x82'],
    ['emoji and accents', bytes('😀 ünï'), '😀 ünï'],
    [
      'direction overrides and zero-width',
      bytes('a\u202Eb\u200Bc\uFEFF'),
      'a\\u{202E}b\\u{200B}c\\u{FEFF}',
    ],
    ['a C1 control', bytes('\u0085'), '\\u{0085}'],
  ])('shows %s safely', (_what, input, text) => {
    expect(sampleText(input)).toBe(text);
    expect(readBack(text).equals(input)).toBe(true);
  });

  it('reads back to the exact bytes, whatever the bytes', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const input = Buffer.from(Array.from({ length: 64 }, (_, i) => (seed * 131 + i * 197) % 256));
      const text = sampleText(input);
      expect(readBack(text).equals(input)).toBe(true);
      // Nothing left that a terminal or page would act on.
      // eslint-disable-next-line no-control-regex -- the very characters that must not be left
      expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
    }
  });
});

describe('MalformedLog', () => {
  it('counts every reason and keeps the newest samples, oldest first', () => {
    const log = new MalformedLog();
    const total = MALFORMED_RECENT_MAX + 50;
    for (let i = 0; i < total; i++) {
      const line = Buffer.from(`line ${i}`);
      log.add(i % 3 === 0 ? 'invalid-json' : 'invalid-utf8', line, line.length, i * 1000);
    }
    const { byReason, samples } = log.take();
    expect(Object.fromEntries(byReason)).toEqual({ 'invalid-json': 50, 'invalid-utf8': 100 });
    expect(samples).toHaveLength(MALFORMED_RECENT_MAX);
    const parsed = samples.map((s) => JSON.parse(s) as MalformedSample);
    expect(parsed[0]?.text).toBe('line 50');
    expect(parsed[MALFORMED_RECENT_MAX - 1]).toEqual({
      reason: 'invalid-utf8',
      readAt: new Date(149_000).toISOString(),
      bytes: 8,
      truncated: false,
      text: 'line 149',
      base64: Buffer.from('line 149').toString('base64'),
    });
    expect(log.isEmpty).toBe(true);
    expect(log.take().samples).toEqual([]);
  });

  it('keeps at most the first 256 bytes of a line, and its length', () => {
    const log = new MalformedLog();
    const line = Buffer.alloc(2 * 1024 * 1024, 0x41);
    log.add('too-long', line, line.length, 0);
    const [sample] = log.take().samples.map((s) => JSON.parse(s) as MalformedSample);
    expect(sample?.text).toBe('A'.repeat(256));
    expect(sample).toMatchObject({ bytes: line.length, truncated: true });
  });

  it('copies the bytes: a reused buffer does not change a kept sample', () => {
    const log = new MalformedLog();
    const buffer = Buffer.from('first');
    log.add('invalid-json', buffer, 5, 0);
    buffer.write('xxxxx');
    const [sample] = log.take().samples.map((s) => JSON.parse(s) as MalformedSample);
    expect(sample).toMatchObject({ text: 'first', truncated: false });
  });
});

describe('BatchAggregator with malformed lines', () => {
  it('carries the reasons and samples in the batch, and in the first chunk only', () => {
    const batch = new BatchAggregator();
    for (let i = 0; i < 5; i++) {
      batch.addEvent('t', 100);
      batch.addWord(`w${i}`);
    }
    batch.addMalformedLine('invalid-json', Buffer.from('{'), 1, 0);
    batch.addMalformed(2);
    const first = batch.takeChunk(2);
    expect(first.malformedLines).toBe(3);
    expect(Object.fromEntries(first.malformed.byReason)).toEqual({ 'invalid-json': 1 });
    expect(first.malformed.samples).toHaveLength(1);
    const rest = batch.take();
    expect(rest.malformedLines).toBe(0);
    expect(rest.malformed.samples).toEqual([]);
  });
});
