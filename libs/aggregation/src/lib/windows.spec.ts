import fc from 'fast-check';
import { bucketStart, coverWindow, isWindowed, windowLadder } from './windows';

describe('windowLadder', () => {
  it.each([
    [1, [1]],
    [3, [1]],
    [4, [1, 4]],
    [60, [1, 4, 16]],
    [3600, [1, 4, 16, 64, 256, 1024]],
    [86_400, [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536]],
  ])('gives powers of 4 up to a retention of %i s', (retention, ladder) => {
    expect(windowLadder(retention)).toEqual(ladder);
  });

  it('refuses a retention below 1', () => {
    expect(() => windowLadder(0)).toThrow(RangeError);
  });
});

describe('bucketStart', () => {
  it('aligns a second to the start of its bucket', () => {
    expect(bucketStart(1_700_000_123, 64)).toBe(1_700_000_064);
    expect(bucketStart(128, 64)).toBe(128);
    expect(bucketStart(5, 1)).toBe(5);
  });
});

describe('isWindowed', () => {
  const now = 1_700_000_000;
  it.each([
    [now, true],
    [now - 3599, true],
    [now - 3600, false],
    [now - 4000, false],
    [now + 5, true],
    [now + 300, true],
    [now + 301, false],
  ])('treats timestamp %i as windowed: %s', (timestamp, expected) => {
    expect(isWindowed(timestamp, now, 3600)).toBe(expected);
  });
});

describe('coverWindow', () => {
  const ladder = windowLadder(3600);

  it('covers the last 3600 s of a real clock with at most 33 aligned buckets', () => {
    const now = 1_732_850_000;
    const buckets = coverWindow(now - 3599, now, ladder);
    expect(buckets.length).toBeLessThanOrEqual(33);
    expect(buckets.reduce((n, b) => n + b.size, 0)).toBe(3600);
  });

  it('covers any window exactly once, with aligned buckets of the ladder', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }),
        fc.integer({ min: 1, max: 3600 }),
        (to, length) => {
          const from = to - length + 1;
          const buckets = coverWindow(from, to, ladder);
          let cursor = from;
          for (const b of buckets) {
            expect(b.start).toBe(cursor);
            expect(ladder).toContain(b.size);
            expect(b.start % b.size).toBe(0);
            cursor += b.size;
          }
          expect(cursor).toBe(to + 1);
          // 3 per level per edge (x2 edges) plus the largest level in the middle.
          expect(buckets.length).toBeLessThanOrEqual(2 * 3 * (ladder.length - 1) + 4);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
