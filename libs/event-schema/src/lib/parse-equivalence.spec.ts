import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { createEventFields, type ParsedLine } from './event';
import { scanEventLine } from './event-line-scanner';
import { parseEventFieldsAt, parseEventLine, parseEventLineAt } from './parse-event-line';
import { referenceParseEventLine } from './reference-parse';

// Differential test: `parseEventLine` (byte scanner, reference as fallback) must give exactly
// what the literal reading of SPEC §1 in reference-parse.ts gives, malformed reason included,
// for bytes, plain Uint8Arrays and strings, on input built to hit the scanner's edges. Since the
// fallback IS the reference, what matters is every answer the scanner gives by itself: each
// property also checks that it answers for a good share of its inputs.

const RUNS = 10_000;

/** How often the scanner answered by itself, per property. */
let scanned = 0;

function expectSameAnswer(bytes: Buffer): void {
  const expected = referenceParseEventLine(bytes);
  expect(parseEventLine(bytes)).toEqual(expected);
  expect(parseEventLine(new Uint8Array(bytes))).toEqual(expected);
  const byScanner = scanEventLine(bytes);
  if (byScanner !== undefined) {
    scanned++;
    expect(byScanner).toEqual(expected);
  }
  // In place, as the ingest reads it: the line amid other bytes of the chunk.
  // Raw 0xff bytes on both sides: invalid UTF-8 outside the line must not count.
  const before = Buffer.from([0x7b, 0x22, 0xff, 0x0a]);
  const chunk = Buffer.concat([before, bytes, Buffer.from([0x0a, 0xff, 0x7d])]);
  expect(parseEventLineAt(chunk, before.length, before.length + bytes.length)).toEqual(expected);
  expect(fieldsAnswer(chunk, before.length, before.length + bytes.length)).toEqual(expected);
  // The same line as a string: its UTF-8 reading, or a Latin-1 one (other characters).
  const text = bytes.toString(isUtf8(bytes) ? 'utf8' : 'latin1');
  expect(parseEventLine(text)).toEqual(referenceParseEventLine(text));
}

/**
 * What parseEventFieldsAt says, as a ParsedLine: a `data` left in the bytes is read as UTF-8,
 * and is checked to hold no escape and to be ASCII exactly when `dataAscii` says so. The
 * fields object is reused from line to line, as the ingest does.
 */
const fields = createEventFields();
function fieldsAnswer(chunk: Buffer, start: number, end: number): ParsedLine {
  const answer = parseEventFieldsAt(chunk, start, end, fields);
  if (answer !== null) return answer;
  let data = fields.data;
  if (data === null) {
    expect(fields.dataStart).toBeGreaterThanOrEqual(start);
    expect(fields.dataEnd).toBeLessThanOrEqual(end);
    const raw = chunk.subarray(fields.dataStart, fields.dataEnd);
    expect(isUtf8(raw)).toBe(true);
    expect(raw.includes(0x5c)).toBe(false); // no backslash: nothing to unescape
    expect(fields.dataAscii).toBe(raw.every((b) => b < 0x80));
    data = raw.toString('utf8');
  }
  return {
    kind: 'event',
    event: { eventType: fields.eventType, data, timestamp: fields.timestamp },
  };
}

function expectSameAnswerOnString(text: string): void {
  expect(parseEventLine(text)).toEqual(referenceParseEventLine(text));
}

/** Runs a property and checks that the scanner answered at least `minScannedShare` of it. */
function check<T>(input: fc.Arbitrary<T>, test: (value: T) => void, minScannedShare = 0): void {
  scanned = 0;
  fc.assert(fc.property(input, test), { numRuns: RUNS });
  expect(scanned).toBeGreaterThanOrEqual(minScannedShare * RUNS);
}

// ---- pieces of lines --------------------------------------------------------------------

const ws = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.constantFrom('', '', '', ' ', ' ', '  ', '\t', '\n', '\r', ' \r\n\t'),
  },
  // Not JSON whitespace, though JavaScript's trim() would remove them.
  { weight: 1, arbitrary: fc.constantFrom('\f', '\v', '\u00a0', '\u2028', '\ufeff', '\u0000') },
);
const quoted = (s: string) => JSON.stringify(s);

/** String tokens written by hand: raw non-ASCII, every escape, surrogate escapes alone or paired. */
const handWrittenString = fc
  .array(
    fc.constantFrom(
      'a',
      'Z',
      ' ',
      'lorem',
      "'",
      '\\"',
      '\\\\',
      '\\/',
      '\\b',
      '\\f',
      '\\n',
      '\\r',
      '\\t',
      '\\u0041',
      '\\u00e9',
      '\\u20AC',
      '\\uD7FF',
      '\\uE000',
      '\\ud83d\\ude00',
      '\\uD83D\\uDE00',
      '\\ud800',
      '\\uDFFF',
      '\\udc00\\ud800',
      'é',
      '€',
      '😀',
      '\u2028',
      '\ufeff',
      '\u007f',
      'ü',
    ),
    { maxLength: 8 },
  )
  .map((pieces) => `"${pieces.join('')}"`);

/** Any string JSON.stringify writes: control characters and lone surrogates come out escaped. */
const stringifiedString = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 16 }),
    fc.string({ unit: 'grapheme', maxLength: 6 }),
    fc.constantFrom('', 'lorem ipsum dolor', '__proto__', 'constructor', 'toString'),
  )
  .map(quoted);

const eventTypeString = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('foo', 'bar', 'baz').map(quoted) },
  { weight: 2, arbitrary: stringifiedString },
  { weight: 1, arbitrary: handWrittenString },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('a', 'a', 'a', 'é', '😀', '\\u00e9', '\\ud83d\\ude00', '\\n'),
        fc.integer({ min: 250, max: 260 }),
        fc.constantFrom('', 'x', '😀'),
      )
      .map(([unit, n, tail]) => `"${unit.repeat(n)}${tail}"`),
  },
);

const WORDS = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'Élan', "don't", '😀'];
const dataString = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(fc.constantFrom(...WORDS), { maxLength: 4 })
      .map((w) => quoted(w.join(' '))),
  },
  { weight: 2, arbitrary: stringifiedString },
  { weight: 2, arbitrary: handWrittenString },
);

/** Numbers in every JSON form, and forms JSON rejects. */
const numberText = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 2 ** 32 }).map(String) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '0',
      '-0',
      '-0.0',
      '0.0',
      '0e0',
      '-0e-0',
      '1564039783',
      '1564039783.5',
      '1564039783.999',
      '1564039783.99999999',
      '1564039783.9999999999',
      '0.99999999999999999',
      '4503599627370495.5',
      '9007199254740991',
      '9007199254740993',
      '999999999999999',
      '1000000000000000',
      '12345678901234567890',
      '26488564681497174', // 17 digits: digit-by-digit arithmetic would round twice, wrongly
      '81193734059527308',
      '1e3',
      '1E3',
      '1e+3',
      '1e-3',
      '1.5e9',
      '15e-1',
      '1e308',
      '1.7976931348623157e308',
      '1.7976931348623159e308',
      '1e309',
      '1e400',
      '-1e400',
      '5e-324',
      '1e-400',
      '-1',
      '-0.5',
      '-1e-400',
      '01',
      '00',
      '-01',
      '1.',
      '.5',
      '-',
      '+1',
      '1e',
      '1e+',
      '1.e3',
      '1.5.5',
      '1e5e5',
      '--1',
      '0x10',
      '1_000',
      'Infinity',
      '-Infinity',
      'NaN',
      '١',
    ),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom('', '', '', '-'),
        fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), minLength: 1, maxLength: 22 }),
        fc.option(fc.string({ unit: fc.constantFrom('0', '4', '5', '9'), maxLength: 20 })),
        fc.option(
          fc.tuple(
            fc.constantFrom('e', 'E'),
            fc.constantFrom('', '+', '-'),
            fc.string({ unit: fc.constantFrom('0', '1', '3', '9'), maxLength: 4 }),
          ),
        ),
      )
      .map(
        ([sign, int, frac, exp]) =>
          sign + int + (frac === null ? '' : `.${frac}`) + (exp === null ? '' : exp.join('')),
      ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 20 }))
      .map(([x, digits]) => [String(x), x.toExponential(digits), x.toPrecision(digits + 1)])
      .chain((forms) => fc.constantFrom(...forms)),
  },
);

const otherValue = fc.oneof(
  fc.constantFrom('true', 'false', 'null', 'tru', 'nul', 'falsey', 'nulll', '[]', '{}', '[1,2]'),
  fc.constantFrom('{"a":"b"}', '[', '{', ']', '}', '"', "'x'", 'undefined', ''),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
);

const anyValue = fc.oneof(
  { weight: 3, arbitrary: dataString },
  { weight: 3, arbitrary: numberText },
  { weight: 2, arbitrary: otherValue },
);

const timestampValue = fc.oneof(
  { weight: 8, arbitrary: numberText },
  { weight: 1, arbitrary: numberText.map((n) => `"${n}"`) },
  { weight: 1, arbitrary: otherValue },
);

const extraKey = fc.oneof(
  fc
    .constantFrom('id', 'x', '', '__proto__', 'constructor', 'event_typ', 'event_types', 'Data')
    .map(quoted),
  fc.constantFrom('timestamp ', 'data\u0000', 'é', '😀', 'e', 'd', 't', 'dat', 'tim').map(quoted),
  fc.constantFrom('"d\\u0061ta"', '"event\\u005ftype"', '"timestamp\\n"', '"\\ud800"', '"\\\\"'),
  stringifiedString,
);

type Member = [key: string, value: string];

const member = (key: fc.Arbitrary<string>, value: fc.Arbitrary<string>): fc.Arbitrary<Member> =>
  fc.tuple(key, value);

/** The three fields, each usually present, maybe repeated, with extra members, in any order. */
const members = fc
  .tuple(
    fc.option(member(fc.constant('"event_type"'), eventTypeString), { freq: 12 }),
    fc.option(member(fc.constant('"data"'), dataString), { freq: 12 }),
    fc.option(member(fc.constant('"timestamp"'), timestampValue), { freq: 12 }),
    fc.array(member(extraKey, anyValue), { maxLength: 2 }),
    fc.array(member(fc.constantFrom('"event_type"', '"data"', '"timestamp"'), anyValue), {
      maxLength: 1,
    }),
    fc.boolean(),
  )
  .chain(([type, data, timestamp, extras, repeats, keepOrder]) => {
    const fields = [type, data, timestamp].filter((m): m is Member => m !== null);
    const all = [...fields, ...extras, ...repeats];
    return keepOrder && extras.length === 0 && repeats.length === 0
      ? fc.constant(all)
      : fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
  });

/** A line: an object of those members with whitespace anywhere JSON allows it. */
const objectLine = members.chain((list) =>
  fc
    .tuple(
      fc.array(fc.tuple(ws, ws, ws, ws), { minLength: list.length, maxLength: list.length }),
      ws,
      ws,
      ws,
      fc.constantFrom('', '', '\r', '\r\r', ' \r'),
    )
    .map(([spaces, before, inside, after, ending]) => {
      const body = list
        .map(
          ([key, value], i) =>
            `${spaces[i][0]}${key}${spaces[i][1]}:${spaces[i][2]}${value}${spaces[i][3]}`,
        )
        .join(',');
      return `${before}{${body || inside}}${after}${ending}`;
    }),
);

/** Exactly the blackbox generator's shape. */
const blackboxLine = fc
  .tuple(
    fc.constantFrom('foo', 'bar', 'baz'),
    fc.array(fc.constantFrom(...WORDS.slice(0, 5)), { minLength: 1, maxLength: 4 }),
    fc.integer({ min: 0, max: 2 ** 31 }),
  )
  .map(
    ([type, words, ts]) =>
      `{ "event_type": "${type}", "data": "${words.join(' ')}", "timestamp": ${ts} }`,
  );

const validishLine = fc.oneof(objectLine, blackboxLine);

// ---- mutations -------------------------------------------------------------------------

const SNIPPETS: Buffer[] = [
  ...[
    '\\',
    '\\u',
    '\\u00',
    '\\ud800',
    '\\u00e9',
    '\\n',
    '\\x',
    '"',
    ',',
    ':',
    '}',
    '{',
    '[',
    ']',
    ' ',
    '\t',
    '\n',
    '\r',
    '😀',
    'é',
    '\u2028',
    '\u0000',
    '\u001f',
    '\u007f',
    '0',
    '-',
    '.',
    'e',
    '1e400',
    'true',
    'null',
    ',"x":1',
    ',"data":"y"',
    ',"event_type":"z"',
    ',"timestamp":5',
    ',"timestamp":-1',
    ',"x":[{}]',
  ].map((s) => Buffer.from(s)),
  ...[
    [0xff],
    [0x80],
    [0xc3],
    [0xc0, 0xaf],
    [0xed, 0xa0, 0x80],
    [0xf0, 0x9f, 0x98],
    [0xef, 0xbb, 0xbf],
  ].map((b) => Buffer.from(b)),
];

type Mutation =
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'cut'; at: number }
  | { kind: 'drop'; at: number }
  | { kind: 'insert'; at: number; snippet: Buffer };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    snippet: fc.constantFrom(...SNIPPETS),
  }),
);

function mutate(bytes: Buffer, m: Mutation): Buffer {
  const at = bytes.length === 0 ? 0 : m.at % (bytes.length + 1);
  switch (m.kind) {
    case 'set':
      return at === bytes.length
        ? bytes
        : Buffer.concat([bytes.subarray(0, at), Buffer.from([m.byte]), bytes.subarray(at + 1)]);
    case 'cut':
      return bytes.subarray(0, at);
    case 'drop':
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at), m.snippet, bytes.subarray(at)]);
  }
}

/** Bytes that make JSON, a few that break UTF-8: random sequences get far into the grammar. */
const JSONISH = Buffer.from('{{}}[]"""::,,0123456789-+.eEtrufalsn  \t\r\n\\/bu_dtaimepyx');
const jsonishBytes = fc
  .tuple(
    fc.constantFrom('', '{', '{"', '{"data":', '{"timestamp":', '{"event_type":"'),
    fc.array(
      fc.oneof(
        { weight: 20, arbitrary: fc.constantFrom(...JSONISH) },
        fc.constantFrom(0x00, 0x80, 0xc3, 0xa9, 0xff),
      ),
      {
        maxLength: 40,
      },
    ),
  )
  .map(([prefix, rest]) => Buffer.concat([Buffer.from(prefix), Buffer.from(rest)]));

// ---- properties --------------------------------------------------------------------------

describe('parseEventLine agrees with the reference parser', () => {
  it('on lines of the blackbox shape and flat objects with every kind of member', () => {
    check(validishLine, (line) => expectSameAnswer(Buffer.from(line)), 0.5);
  });

  it('on those lines after byte changes, cuts, deletions and inserted snippets', () => {
    check(
      fc.tuple(validishLine, fc.array(mutation, { minLength: 1, maxLength: 3 })),
      ([line, mutations]) => expectSameAnswer(mutations.reduce(mutate, Buffer.from(line))),
      0.3,
    );
  });

  it('on random sequences of JSON-ish bytes', () => {
    check(jsonishBytes, (bytes) => expectSameAnswer(bytes), 0.2);
  });

  it('on fully random bytes', () => {
    check(fc.uint8Array({ maxLength: 80 }), (bytes) => expectSameAnswer(Buffer.from(bytes)));
  });

  it('on any string, lone surrogates included', () => {
    check(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 60 }),
        validishLine.chain((line) =>
          fc
            .tuple(fc.nat({ max: line.length }), fc.string({ unit: 'binary', maxLength: 3 }))
            .map(([at, inserted]) => line.slice(0, at) + inserted + line.slice(at)),
        ),
      ),
      expectSameAnswerOnString,
    );
  });
});
