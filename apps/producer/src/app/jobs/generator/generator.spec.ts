import { createLineGenerator, type GeneratedLine } from './generator';

const fixedClock = () => 1_564_039_783_456;

function take(next: () => GeneratedLine, n: number): GeneratedLine[] {
  return Array.from({ length: n }, () => next());
}

/** SPEC §1's rules for a valid event, as far as this generator can break them. */
function isValidEvent(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false; // not JSON: malformed, which is what this helper reports
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const event = value as Record<string, unknown>;
  return (
    typeof event['event_type'] === 'string' &&
    [...event['event_type']].length >= 1 &&
    [...event['event_type']].length <= 256 &&
    typeof event['data'] === 'string' &&
    typeof event['timestamp'] === 'number' &&
    Number.isFinite(event['timestamp']) &&
    event['timestamp'] >= 0
  );
}

describe('createLineGenerator', () => {
  it('gives the same lines for the same seed and clock', () => {
    const a = take(createLineGenerator({ seed: 42, corruptRatio: 0.3, nowMs: fixedClock }), 500);
    const b = take(createLineGenerator({ seed: 42, corruptRatio: 0.3, nowMs: fixedClock }), 500);
    expect(a).toEqual(b);
  });

  it('gives different lines for another seed', () => {
    const a = take(createLineGenerator({ seed: 1, corruptRatio: 0.3, nowMs: fixedClock }), 50);
    const b = take(createLineGenerator({ seed: 2, corruptRatio: 0.3, nowMs: fixedClock }), 50);
    expect(a).not.toEqual(b);
  });

  it('writes valid lines in the exact blackbox format', () => {
    const lines = take(createLineGenerator({ seed: 7, corruptRatio: 0, nowMs: fixedClock }), 2000);
    const format =
      /^\{ "event_type": "(foo|bar|baz)", "data": "[a-z]+( [a-z]+){0,3}", "timestamp": 1564039783 \}$/;
    for (const line of lines) {
      expect(line.corrupt).toBe(false);
      expect(line.text).toMatch(format);
      expect(isValidEvent(line.text)).toBe(true);
      const event = JSON.parse(line.text);
      expect(Object.keys(event)).toEqual(['event_type', 'data', 'timestamp']);
    }
    expect(new Set(lines.map((l) => JSON.parse(l.text).event_type))).toEqual(
      new Set(['foo', 'bar', 'baz']),
    );
  });

  it('takes the timestamp from the clock, in whole seconds', () => {
    let now = 1_000_999;
    const next = createLineGenerator({ seed: 3, corruptRatio: 0, nowMs: () => now });
    expect(JSON.parse(next().text).timestamp).toBe(1000);
    now = 2_000_000;
    expect(JSON.parse(next().text).timestamp).toBe(2000);
  });

  it('makes corrupt lines that are malformed, never blank and single-line', () => {
    const lines = take(createLineGenerator({ seed: 99, corruptRatio: 1, nowMs: fixedClock }), 5000);
    for (const line of lines) {
      expect(line.corrupt).toBe(true);
      expect(isValidEvent(line.text)).toBe(false);
      expect(line.text.trim()).not.toBe('');
      expect(line.text).not.toMatch(/[\r\n]/);
    }
    // Every kind shows up: unparseable text and a parseable object with a wrong field.
    const parses = (text: string) => {
      try {
        JSON.parse(text);
        return true;
      } catch {
        return false;
      }
    };
    expect(lines.some((l) => parses(l.text))).toBe(true);
    expect(lines.some((l) => !parses(l.text) && l.text.includes('"event_type"'))).toBe(true);
    expect(lines.some((l) => /^\{ "[^e]/.test(l.text))).toBe(true);
  });

  it('makes about CORRUPT_RATIO of the lines corrupt', () => {
    const lines = take(
      createLineGenerator({ seed: 5, corruptRatio: 0.05, nowMs: fixedClock }),
      20_000,
    );
    const share = lines.filter((l) => l.corrupt).length / lines.length;
    expect(share).toBeGreaterThan(0.04);
    expect(share).toBeLessThan(0.06);
  });
});
