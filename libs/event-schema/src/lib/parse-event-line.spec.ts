import { createEventFields, MAX_LINE_BYTES, type MalformedReason, type ParsedLine } from './event';
import { parseEventFieldsAt, parseEventLine } from './parse-event-line';

const event = (eventType: string, data: string, timestamp: number): ParsedLine => ({
  kind: 'event',
  event: { eventType, data, timestamp },
});
const malformed = (reason: MalformedReason): ParsedLine => ({ kind: 'malformed', reason });
const blank: ParsedLine = { kind: 'blank' };

/** A line with the three fields; `extra` is spliced in raw, before them. */
const line = (fields: { type?: string; data?: string; ts?: string; extra?: string }): string => {
  const parts = [fields.extra];
  if (fields.type !== undefined) parts.push(`"event_type":${fields.type}`);
  if (fields.data !== undefined) parts.push(`"data":${fields.data}`);
  if (fields.ts !== undefined) parts.push(`"timestamp":${fields.ts}`);
  return `{${parts.filter((p) => p !== undefined).join(',')}}`;
};
const withType = (type: string) => line({ type, data: '"d"', ts: '1' });
const withData = (data: string) => line({ type: '"t"', data, ts: '1' });
const withTimestamp = (ts: string) => line({ type: '"t"', data: '"d"', ts });
const withExtra = (extra: string) => line({ extra, type: '"t"', data: '"d"', ts: '1' });

const a = (n: number) => 'a'.repeat(n);
const emoji = (n: number) => '😀'.repeat(n);

// Every line is written as it appears in the stream: `\\u` is a JSON escape, not a JS one.
// Each case runs twice, as a string and as its UTF-8 bytes, and must give the same result.
// One case per row: kept as a table on purpose.
// prettier-ignore
const cases: Array<[string, string, ParsedLine]> = [
  // SPEC §1 examples
  ['accepts the first blackbox example line', '{ "event_type": "baz", "data": "amet", "timestamp": 1564039783 }', event('baz', 'amet', 1564039783)],
  ['accepts the second blackbox example line', '{ "event_type": "foo", "data": "dolor ipsum", "timestamp": 1564039789 }', event('foo', 'dolor ipsum', 1564039789)],
  ['rejects the truncated blackbox example line as invalid JSON', '{ "Cu*S', malformed('invalid-json')],
  // blank lines
  ['skips an empty line', '', blank],
  ['skips a line of spaces', '   ', blank],
  ['skips a line of tabs', '\t\t', blank],
  ['skips a lone carriage return', '\r', blank],
  ['skips a mix of spaces, tabs and carriage returns', ' \t\r \r', blank],
  ['does not skip a form feed, which is not blank', '\f', malformed('invalid-json')],
  ['does not skip a no-break space, which is not blank', '\u00a0', malformed('invalid-json')],
  // line endings and JSON whitespace
  ['strips the carriage return of a CRLF line', '{"event_type":"t","data":"d","timestamp":1}\r', event('t', 'd', 1)],
  ['reads a second trailing carriage return as JSON whitespace', '{"event_type":"t","data":"d","timestamp":1}\r\r', event('t', 'd', 1)],
  ['ignores JSON whitespace around the object', ' \t{"event_type":"t","data":"d","timestamp":1} \t', event('t', 'd', 1)],
  ['rejects a byte order mark before the object', '\ufeff{"event_type":"t","data":"d","timestamp":1}', malformed('invalid-json')],
  // JSON syntax (RFC 8259)
  ['rejects a NaN timestamp literal', withTimestamp('NaN'), malformed('invalid-json')],
  ['rejects an Infinity timestamp literal', withTimestamp('Infinity'), malformed('invalid-json')],
  ['rejects a -Infinity timestamp literal', withTimestamp('-Infinity'), malformed('invalid-json')],
  ['rejects a trailing comma in the object', '{"event_type":"t","data":"d","timestamp":1,}', malformed('invalid-json')],
  ['rejects a trailing comma in a nested array', withExtra('"x":[1,2,]'), malformed('invalid-json')],
  ['rejects single-quoted strings', "{'event_type':'t','data':'d','timestamp':1}", malformed('invalid-json')],
  ['rejects two objects on one line', withType('"t"') + withType('"t"'), malformed('invalid-json')],
  ['rejects a comment after the object', withType('"t"') + ' // note', malformed('invalid-json')],
  ['rejects a raw control character inside a string', withData('"a\tb"'), malformed('invalid-json')],
  ['rejects an array', '[{"event_type":"t","data":"d","timestamp":1}]', malformed('not-an-object')],
  ['rejects null', 'null', malformed('not-an-object')],
  ['rejects a string', '"event"', malformed('not-an-object')],
  ['rejects a number', '1564039783', malformed('not-an-object')],
  ['rejects an empty object as lacking an event_type', '{}', malformed('invalid-event-type')],
  // duplicated keys
  ['keeps the last of duplicated event_type keys', '{"event_type":"a","event_type":"b","data":"d","timestamp":1}', event('b', 'd', 1)],
  ['accepts a bad first value replaced by a good last one', '{"event_type":"t","data":"d","timestamp":"x","timestamp":2}', event('t', 'd', 2)],
  ['rejects a good first value replaced by a bad last one', '{"event_type":"t","data":"d","timestamp":2,"timestamp":"x"}', malformed('invalid-timestamp')],
  // event_type
  ['rejects a missing event_type', line({ data: '"d"', ts: '1' }), malformed('invalid-event-type')],
  ['rejects an event_type of 0 code points', withType('""'), malformed('invalid-event-type')],
  ['accepts an event_type of 1 code point', withType('"a"'), event('a', 'd', 1)],
  ['accepts an event_type of 256 code points', withType(`"${a(256)}"`), event(a(256), 'd', 1)],
  ['rejects an event_type of 257 code points', withType(`"${a(257)}"`), malformed('invalid-event-type')],
  ['accepts an event_type of 256 emoji, 512 UTF-16 units', withType(`"${emoji(256)}"`), event(emoji(256), 'd', 1)],
  ['rejects an event_type of 257 emoji', withType(`"${emoji(257)}"`), malformed('invalid-event-type')],
  ['accepts 255 letters and one emoji as 256 code points', withType(`"${a(255)}😀"`), event(`${a(255)}😀`, 'd', 1)],
  ['rejects 256 letters and one emoji as 257 code points', withType(`"${a(256)}😀"`), malformed('invalid-event-type')],
  ['counts an escaped surrogate pair as one code point', withType(`"${a(255)}\\ud83d\\ude00"`), event(`${a(255)}😀`, 'd', 1)],
  ['rejects a numeric event_type', withType('0'), malformed('invalid-event-type')],
  ['rejects a null event_type', withType('null'), malformed('invalid-event-type')],
  ['rejects an object as event_type', withType('{"name":"t"}'), malformed('invalid-event-type')],
  ['rejects an array as event_type', withType('["t"]'), malformed('invalid-event-type')],
  ['accepts __proto__ as event_type', withType('"__proto__"'), event('__proto__', 'd', 1)],
  ['accepts constructor as event_type', withType('"constructor"'), event('constructor', 'd', 1)],
  ['accepts quotes and backslashes in event_type', withType('"a\\"b\\\\c"'), event('a"b\\c', 'd', 1)],
  // data
  ['accepts empty data', withData('""'), event('t', '', 1)],
  ['accepts constructor as data', withData('"constructor"'), event('t', 'constructor', 1)],
  ['rejects missing data', line({ type: '"t"', ts: '1' }), malformed('invalid-data')],
  ['rejects numeric data', withData('42'), malformed('invalid-data')],
  ['rejects null data', withData('null'), malformed('invalid-data')],
  ['rejects an object as data', withData('{"text":"d"}'), malformed('invalid-data')],
  ['rejects an array as data', withData('["d"]'), malformed('invalid-data')],
  // timestamp
  ['rejects a missing timestamp', line({ type: '"t"', data: '"d"' }), malformed('invalid-timestamp')],
  ['accepts a timestamp of 0', withTimestamp('0'), event('t', 'd', 0)],
  ['accepts -0 as 0', withTimestamp('-0'), event('t', 'd', 0)],
  ['drops the fraction of a timestamp', withTimestamp('1564039783.999'), event('t', 'd', 1564039783)],
  ['drops a fraction below one second', withTimestamp('0.5'), event('t', 'd', 0)],
  ['accepts an exponent timestamp', withTimestamp('1.5e9'), event('t', 'd', 1500000000)],
  ['accepts a huge finite timestamp', withTimestamp('1e300'), event('t', 'd', 1e300)],
  ['rejects a negative timestamp', withTimestamp('-1'), malformed('invalid-timestamp')],
  ['rejects a negative fractional timestamp', withTimestamp('-0.5'), malformed('invalid-timestamp')],
  ['rejects 1e400, which JSON.parse makes Infinity', withTimestamp('1e400'), malformed('invalid-timestamp')],
  ['rejects -1e400', withTimestamp('-1e400'), malformed('invalid-timestamp')],
  ['rejects a boolean timestamp', withTimestamp('true'), malformed('invalid-timestamp')],
  ['rejects a string timestamp', withTimestamp('"1564039783"'), malformed('invalid-timestamp')],
  ['rejects a null timestamp', withTimestamp('null'), malformed('invalid-timestamp')],
  ['rejects an object timestamp', withTimestamp('{"s":1}'), malformed('invalid-timestamp')],
  ['rejects an array timestamp', withTimestamp('[1]'), malformed('invalid-timestamp')],
  // extra fields and prototype names
  ['ignores extra scalar fields', withExtra('"id":7,"ok":true,"none":null'), event('t', 'd', 1)],
  ['ignores nested objects and arrays as extra fields', withExtra('"meta":{"a":[1,{"b":[]}]}'), event('t', 'd', 1)],
  ['accepts __proto__ as an extra key', withExtra('"__proto__":{"event_type":"evil"}'), event('t', 'd', 1)],
  ['accepts constructor as an extra key', withExtra('"constructor":{"prototype":1}'), event('t', 'd', 1)],
  ['does not read a missing event_type from __proto__', '{"__proto__":{"event_type":"x"},"data":"d","timestamp":1}', malformed('invalid-event-type')],
  ['does not take the inherited constructor as event_type', '{"data":"x","timestamp":1}', malformed('invalid-event-type')],
  // lone surrogates, which only \\u escapes can produce
  ['rejects a lone high surrogate in event_type', withType('"\\ud800"'), malformed('lone-surrogate')],
  ['rejects a lone low surrogate in data', withData('"a\\udfffb"'), malformed('lone-surrogate')],
  ['rejects an upper-case lone surrogate escape', withData('"\\uD83D"'), malformed('lone-surrogate')],
  ['rejects a surrogate pair in the wrong order', withData('"\\ude00\\ud83d"'), malformed('lone-surrogate')],
  ['rejects a high surrogate followed by a raw emoji', withData('"\\ud83d😀"'), malformed('lone-surrogate')],
  ['rejects a lone surrogate in an extra key', withExtra('"\\udc00":1'), malformed('lone-surrogate')],
  ['rejects a lone surrogate deep in an extra value', withExtra('"x":[{"y":["ok","\\ud800"]}]'), malformed('lone-surrogate')],
  ['reports a lone surrogate before a missing field', '{"event_type":"\\ud800"}', malformed('lone-surrogate')],
  ['accepts an escaped surrogate pair', withData('"\\ud83d\\ude00"'), event('t', '😀', 1)],
  ['accepts an escaped non-surrogate', withData('"caf\\u00e9"'), event('t', 'café', 1)],
  ['reads an escaped backslash before ud800 as text', withData('"\\\\ud800"'), event('t', '\\ud800', 1)],
];

describe('parseEventLine', () => {
  it.each(cases)('%s', (_name, text, expected) => {
    expect(parseEventLine(text)).toEqual(expected);
    expect(parseEventLine(Buffer.from(text, 'utf8'))).toEqual(expected);
  });

  it('accepts a plain Uint8Array as well as a Buffer', () => {
    const bytes = new TextEncoder().encode(withType('"t"'));
    expect(bytes).not.toBeInstanceOf(Buffer);
    expect(parseEventLine(bytes)).toEqual(event('t', 'd', 1));
  });

  it('reads the bytes of a view at its offset only', () => {
    const stream = Buffer.from(`garbage${withType('"t"')}more`);
    const view = stream.subarray(7, stream.length - 4);
    expect(parseEventLine(view)).toEqual(event('t', 'd', 1));
  });

  it('does not read fields from a polluted Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    Object.defineProperty(proto, 'event_type', { value: 'polluted', configurable: true });
    try {
      expect(parseEventLine(line({ data: '"d"', ts: '1' }))).toEqual(
        malformed('invalid-event-type'),
      );
    } finally {
      delete proto['event_type'];
    }
  });

  it('returns an event whose fields are the only ones set', () => {
    const parsed = parseEventLine(withExtra('"__proto__":{"x":1},"constructor":2'));
    expect(parsed.kind === 'event' && Object.keys(parsed.event)).toEqual([
      'eventType',
      'data',
      'timestamp',
    ]);
  });

  it('handles nesting deeper than the call stack, with or without a lone surrogate', () => {
    const depth = 200_000;
    const deep = (inner: string) =>
      withExtra(`"x":${'['.repeat(depth)}${inner}${']'.repeat(depth)}`);
    expect(parseEventLine(deep('"ok"'))).toEqual(event('t', 'd', 1));
    expect(parseEventLine(deep('"\\ud800"'))).toEqual(malformed('lone-surrogate'));
  });
});

describe('parseEventFieldsAt', () => {
  const fields = createEventFields();
  const read = (text: string, before = '{"x\n', after = '\n}') => {
    const chunk = Buffer.from(before + text + after);
    const start = Buffer.byteLength(before);
    const answer = parseEventFieldsAt(chunk, start, start + Buffer.byteLength(text), fields);
    const raw =
      fields.data === null ? chunk.toString('utf8', fields.dataStart, fields.dataEnd) : undefined;
    return { answer, fields: { ...fields }, raw };
  };

  it('leaves plain ASCII data in the bytes', () => {
    const {
      answer,
      fields: f,
      raw,
    } = read('{ "event_type": "foo", "data": "Lorem ipsum", "timestamp": 1.5 }');
    expect(answer).toBeNull();
    expect(f).toMatchObject({ eventType: 'foo', timestamp: 1, data: null, dataAscii: true });
    expect(raw).toBe('Lorem ipsum');
  });

  it('leaves raw UTF-8 data in the bytes and says it is not ASCII', () => {
    const { answer, fields: f, raw } = read('{"event_type":"t","data":"café 😀","timestamp":2}');
    expect(answer).toBeNull();
    expect(f).toMatchObject({ data: null, dataAscii: false });
    expect(raw).toBe('café 😀');
  });

  it('decodes data that holds an escape', () => {
    const { answer, fields: f } = read('{"event_type":"t","data":"a\\nb \\u00e9","timestamp":3}');
    expect(answer).toBeNull();
    expect(f).toMatchObject({ eventType: 't', data: 'a\nb é', timestamp: 3 });
  });

  it('takes the decoded data of a line the reference parser reads (a nested value)', () => {
    const { answer, fields: f } = read('{"x":[1],"event_type":"t","data":"d","timestamp":4}');
    expect(answer).toBeNull();
    expect(f).toMatchObject({ eventType: 't', data: 'd', timestamp: 4 });
  });

  it.each([
    ['a malformed line', '{ "Cu*S', malformed('invalid-json')],
    ['a blank line', ' \r', blank],
  ])('answers %s as parseEventLineAt does', (_name, text, expected) => {
    expect(read(text).answer).toEqual(expected);
  });

  it('rejects invalid UTF-8 in data', () => {
    const chunk = Buffer.concat([
      Buffer.from('{"event_type":"t","data":"a'),
      Buffer.from([0xff]),
      Buffer.from('","timestamp":1}'),
    ]);
    expect(parseEventFieldsAt(chunk, 0, chunk.length, fields)).toEqual(malformed('invalid-utf8'));
  });

  it('rejects a line over 1 MiB without reading it', () => {
    const chunk = Buffer.alloc(MAX_LINE_BYTES + 1, 0x20);
    expect(parseEventFieldsAt(chunk, 0, chunk.length, fields)).toEqual(malformed('too-long'));
  });
});
