import fc from 'fast-check';
// Through the public entry point: what the ingest uses is what is fuzzed.
import { type Event, LineSplitter, MAX_LINE_BYTES, parseEventLine } from '../index';

/*
 * Property tests: whatever the FIFO carries — random bytes, truncated JSON, lines over 1 MiB,
 * 10,000-deep nesting, invalid UTF-8 — cut into chunks anywhere, the splitter and the parser
 * never throw, never hold more than one line's limit, and every valid line around the garbage
 * comes out as exactly its event, in order. Fixed seeds keep CI reproducible; change the seed
 * (or drop it) to explore further.
 */

const LF = 0x0a;

/** A valid event and its line: JSON.stringify escapes every control character, `\n` too. */
const validEventArb = fc
  .record({
    eventType: fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
    data: fc.string({ unit: 'binary', maxLength: 40 }),
    timestamp: fc.oneof(
      fc.integer({ min: 0, max: 4_000_000_000 }),
      fc.double({ min: 0, max: 4e9, noNaN: true }),
    ),
    extra: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
  })
  .map(({ eventType, data, timestamp, extra }) => {
    const object = {
      event_type: eventType,
      data,
      timestamp,
      ...(extra === undefined ? {} : { extra }),
    };
    const event: Event = { eventType, data, timestamp: Math.floor(timestamp) + 0 };
    return { json: JSON.stringify(object), event };
  });

/** Bytes of a valid line, maybe with JSON whitespace around it and a CRLF ending. */
const validLineArb = fc
  .tuple(validEventArb, fc.constantFrom('', ' ', '\t '), fc.constantFrom('', ' ', '\r', ' \r'))
  .map(([{ json, event }, before, after]) => ({
    bytes: Buffer.from(before + json + after),
    event,
  }));

const INVALID_UTF8 = [
  [0xff],
  [0x80],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
];

/** Garbage: each is malformed or blank (never an event), and may hold `\n` itself. */
const garbageArb: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 5, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
  {
    weight: 4,
    // A valid line cut short loses at least its closing brace.
    arbitrary: fc
      .tuple(validEventArb, fc.nat())
      .map(([{ json }, at]) => Buffer.from(json.slice(0, at % json.length))),
  },
  {
    weight: 3,
    // Invalid UTF-8 right after the `{`: no neighbouring byte can complete the sequence.
    arbitrary: fc
      .tuple(validEventArb, fc.constantFrom(...INVALID_UTF8))
      .map(([{ json }, bad]) =>
        Buffer.concat([Buffer.from('{'), Buffer.from(bad), Buffer.from(json.slice(1))]),
      ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.integer({ min: 1_000, max: 10_000 }), fc.constantFrom('[', '{"a":', 'nest'))
      .map(([depth, kind]) =>
        Buffer.from(
          kind === 'nest'
            ? '['.repeat(depth) + ']'.repeat(depth) // valid JSON, but not an object
            : kind.repeat(depth),
        ),
      ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(validEventArb, fc.constantFrom('\\ud800', '\\udfff', '\\ud83d'))
      .map(([{ json }, lone]) => Buffer.from(json.replace('"data":"', `"data":"${lone}`))),
  },
  {
    weight: 1,
    // Over the limit, with or without newlines-free filler bytes.
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: MAX_LINE_BYTES }), fc.integer({ min: 0x20, max: 0xff }))
      .map(([over, fill]) => Buffer.alloc(MAX_LINE_BYTES + over, fill)),
  },
);

type Piece = { kind: 'valid'; bytes: Buffer; event: Event } | { kind: 'garbage'; bytes: Buffer };

const piecesArb: fc.Arbitrary<Piece[]> = fc.array(
  fc.oneof(
    validLineArb.map((v): Piece => ({ kind: 'valid', ...v })),
    garbageArb.map((bytes): Piece => ({ kind: 'garbage', bytes })),
  ),
  { maxLength: 25 },
);

/** How the stream is cut into pushes: cut points, and sometimes a run of 1-byte chunks. */
interface Chunking {
  cuts: number[];
  byteByByte: { from: number; length: number } | undefined;
}

const chunkingArb: fc.Arbitrary<Chunking> = fc.record({
  cuts: fc.array(fc.nat(), { maxLength: 40 }),
  byteByByte: fc.option(fc.record({ from: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }), {
    nil: undefined,
  }),
});

function chunksOf(stream: Buffer, chunking: Chunking): Buffer[] {
  const at = new Set(chunking.cuts.map((n) => n % (stream.length + 1)));
  if (chunking.byteByByte) {
    const from = chunking.byteByByte.from % (stream.length + 1);
    for (let i = 0; i < chunking.byteByByte.length; i++) at.add(Math.min(from + i, stream.length));
  }
  const cuts = [...at].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const cut of [...cuts, stream.length]) {
    chunks.push(stream.subarray(start, cut)); // empty chunks included: they must be harmless
    start = cut;
  }
  return chunks;
}

function countNewlines(bytes: Buffer): number {
  let n = 0;
  for (let at = bytes.indexOf(LF); at !== -1; at = bytes.indexOf(LF, at + 1)) n++;
  return n;
}

describe('LineSplitter + parseEventLine under garbage', () => {
  it('recovers every valid line exactly, in order, from any chunking of a stream mixed with garbage', () => {
    fc.assert(
      fc.property(piecesArb, chunkingArb, fc.boolean(), (pieces, chunking, lastUnterminated) => {
        const parts: Buffer[] = [];
        pieces.forEach((piece, i) => {
          parts.push(piece.bytes);
          if (!(lastUnterminated && i === pieces.length - 1)) parts.push(Buffer.from('\n'));
        });
        const stream = Buffer.concat(parts);

        const events: Event[] = [];
        let malformed = 0;
        let blank = 0;
        const splitter = new LineSplitter({
          line: (bytes) => {
            const parsed = parseEventLine(bytes);
            if (parsed.kind === 'event') events.push(parsed.event);
            else if (parsed.kind === 'malformed') malformed++;
            else blank++;
          },
          oversize: () => malformed++,
        });
        for (const chunk of chunksOf(stream, chunking)) {
          splitter.push(chunk);
          expect(splitter.bufferedBytes).toBeLessThanOrEqual(MAX_LINE_BYTES);
        }
        splitter.end();
        expect(splitter.hasPartialLine).toBe(false);

        const expected = pieces.flatMap((piece) => (piece.kind === 'valid' ? [piece.event] : []));
        expect(events).toEqual(expected);
        // Every line is accounted for once: as an event, a malformed line or a blank line.
        const tail = stream.length > 0 && stream[stream.length - 1] !== LF ? 1 : 0;
        expect(events.length + malformed + blank).toBe(countNewlines(stream) + tail);
      }),
      { seed: 3_141_592, numRuns: 300 },
    );
  });

  it('never buffers more than the limit while a line many times over it streams through', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 512, max: 200_000 }),
        validLineArb,
        (megabytes, chunkBytes, valid) => {
          let lines = 0;
          let oversize = 0;
          const events: Event[] = [];
          const splitter = new LineSplitter({
            line: (bytes) => {
              lines++;
              const parsed = parseEventLine(bytes);
              if (parsed.kind === 'event') events.push(parsed.event);
            },
            oversize: () => oversize++,
          });
          const filler = Buffer.alloc(chunkBytes, 'x');
          let mostBuffered = 0;
          splitter.push(Buffer.concat([valid.bytes, Buffer.from('\n')]));
          for (let sent = 0; sent < megabytes * MAX_LINE_BYTES; sent += chunkBytes) {
            splitter.push(filler);
            mostBuffered = Math.max(mostBuffered, splitter.bufferedBytes);
          }
          expect(mostBuffered).toBeLessThanOrEqual(MAX_LINE_BYTES);
          splitter.push(Buffer.concat([Buffer.from('\n'), valid.bytes, Buffer.from('\n')]));
          splitter.end();
          expect(oversize).toBe(1);
          expect(lines).toBe(2);
          expect(events).toEqual([valid.event, valid.event]);
        },
      ),
      { seed: 2_718_281, numRuns: 20 },
    );
  });
});

describe('parseEventLine on arbitrary input', () => {
  /** Any UTF-16 code unit, lone surrogates included. */
  const anyUnit = fc.nat({ max: 0xffff }).map((unit) => String.fromCharCode(unit));

  function expectWellFormedResult(line: Uint8Array | string): void {
    const parsed = parseEventLine(line);
    expect(['event', 'malformed', 'blank']).toContain(parsed.kind);
    if (parsed.kind !== 'event') return;
    const { eventType, data, timestamp } = parsed.event;
    expect(eventType.isWellFormed() && data.isWellFormed()).toBe(true);
    expect([...eventType].length).toBeGreaterThanOrEqual(1);
    expect([...eventType].length).toBeLessThanOrEqual(256);
    expect(Number.isInteger(timestamp)).toBe(true);
    expect(timestamp).toBeGreaterThanOrEqual(0);
  }

  it('never throws on random bytes, and never returns an invalid event', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (bytes) => expectWellFormedResult(bytes)),
      { seed: 1_618_033, numRuns: 2_000 },
    );
  });

  it('never throws on mutated JSON, given as bytes or as a string', () => {
    const mutatedJson = fc
      .tuple(
        fc.json({ maxDepth: 4 }),
        fc.nat(),
        fc.string({ unit: anyUnit, maxLength: 4 }),
        fc.nat({ max: 3 }),
      )
      .map(([json, at, insert, cut]) => {
        const i = at % (json.length + 1);
        return json.slice(0, i) + insert + json.slice(i + cut);
      });
    fc.assert(
      fc.property(mutatedJson, (text) => {
        expectWellFormedResult(text);
        expectWellFormedResult(Buffer.from(text));
      }),
      { seed: 1_414_213, numRuns: 2_000 },
    );
  });

  it('keeps a valid event valid however deep its extra field is nested', () => {
    for (const depth of [1_000, 10_000, 100_000]) {
      const nested = '['.repeat(depth) + '"\\ud83d\\ude00"' + ']'.repeat(depth);
      const line = `{"event_type":"deep","data":"x","timestamp":1,"extra":${nested}}`;
      expect(parseEventLine(Buffer.from(line))).toEqual({
        kind: 'event',
        event: { eventType: 'deep', data: 'x', timestamp: 1 },
      });
      const lone = line.replace('\\ud83d\\ude00', '\\ud83d');
      expect(parseEventLine(Buffer.from(lone))).toEqual({
        kind: 'malformed',
        reason: 'lone-surrogate',
      });
    }
  });
});
