import { MAX_LINE_BYTES } from './event';
import { lineText, type LineTextResult } from './line-text';
import { parseEventLine } from './parse-event-line';

const text = (value: string): LineTextResult => ({ kind: 'text', text: value });
const INVALID_UTF8: LineTextResult = { kind: 'malformed', reason: 'invalid-utf8' };
const BLANK: LineTextResult = { kind: 'blank' };

const bytes = (...parts: Array<string | number[]>): Buffer =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))),
  );

// One case per row: kept as a table on purpose.
// prettier-ignore
const byteCases: Array<[string, Buffer, LineTextResult]> = [
  ['decodes ASCII', bytes('{"a":1}'), text('{"a":1}')],
  ['decodes two-, three- and four-byte characters', bytes('é€😀'), text('é€😀')],
  ['strips one trailing carriage return', bytes('{}\r'), text('{}')],
  ['strips only the last of two carriage returns', bytes('{}\r\r'), text('{}\r')],
  ['keeps a carriage return that is not at the end', bytes('{}\r '), text('{}\r ')],
  ['keeps a byte order mark, which JSON then rejects', bytes([0xef, 0xbb, 0xbf], '{}'), text('\ufeff{}')],
  ['finds a blank line of spaces, tabs and carriage returns', bytes(' \t\r'), BLANK],
  ['finds an empty line blank', bytes(), BLANK],
  ['rejects an overlong encoding of "/"', bytes('"', [0xc0, 0xaf], '"'), INVALID_UTF8],
  ['rejects a lone continuation byte', bytes('"', [0x80], '"'), INVALID_UTF8],
  ['rejects a truncated three-byte sequence', bytes('"', [0xe2, 0x82], '"'), INVALID_UTF8],
  ['rejects a sequence truncated by the end of the line', bytes('"', [0xf0, 0x9f, 0x98]), INVALID_UTF8],
  ['rejects an encoded surrogate ED A0 80', bytes('"', [0xed, 0xa0, 0x80], '"'), INVALID_UTF8],
  ['rejects a code point above U+10FFFF', bytes('"', [0xf4, 0x90, 0x80, 0x80], '"'), INVALID_UTF8],
  ['rejects the byte FF', bytes('"', [0xff], '"'), INVALID_UTF8],
];

describe('lineText', () => {
  it.each(byteCases)('%s', (_name, input, expected) => {
    expect(lineText(input)).toEqual(expected);
  });

  it('never replaces invalid bytes with U+FFFD in an event', () => {
    const line = bytes('{"event_type":"', [0xff], '","data":"d","timestamp":1}');
    expect(parseEventLine(line)).toEqual({ kind: 'malformed', reason: 'invalid-utf8' });
  });

  it('rejects a string holding a raw lone surrogate, which has no UTF-8 encoding', () => {
    expect(lineText('{"event_type":"\ud800"}')).toEqual(INVALID_UTF8);
  });

  it('keeps a \\u escape of a surrogate as text for the JSON rules to judge', () => {
    expect(lineText('"\\ud800"')).toEqual(text('"\\ud800"'));
  });
});

describe('lineText at the 1 MiB limit', () => {
  /** A valid event line of exactly `size` bytes (`tail` included) whose data is `unit`s. */
  const eventLine = (size: number, unit: string, tail = ''): string => {
    const head = '{"event_type":"t","timestamp":1,"data":"';
    const end = `"}${tail}`;
    const room = size - Buffer.byteLength(head + end);
    const unitBytes = Buffer.byteLength(unit);
    return head + unit.repeat(Math.floor(room / unitBytes)) + 'x'.repeat(room % unitBytes) + end;
  };

  // One case per row: kept as a table on purpose.
  // prettier-ignore
  const sizeCases: Array<[string, string, LineTextResult['kind'] | 'too-long']> = [
    ['accepts a line of exactly 1 MiB', eventLine(MAX_LINE_BYTES, 'x'), 'text'],
    ['rejects a line of 1 MiB and one byte', eventLine(MAX_LINE_BYTES + 1, 'x'), 'too-long'],
    ['accepts a CRLF line of exactly 1 MiB with its carriage return', eventLine(MAX_LINE_BYTES, 'x', '\r'), 'text'],
    ['counts the carriage return in the size', eventLine(MAX_LINE_BYTES + 1, 'x', '\r'), 'too-long'],
    ['accepts 1 MiB of mostly two-byte characters', eventLine(MAX_LINE_BYTES, 'é'), 'text'],
    ['counts bytes, not UTF-16 units, for two-byte characters', eventLine(MAX_LINE_BYTES + 1, 'é'), 'too-long'],
    ['counts bytes, not UTF-16 units, for three-byte characters', eventLine(MAX_LINE_BYTES + 1, '€'), 'too-long'],
    ['counts bytes, not UTF-16 units, for emoji', eventLine(MAX_LINE_BYTES + 1, '😀'), 'too-long'],
    ['rejects an over-long blank line as too long', ' '.repeat(MAX_LINE_BYTES + 1), 'too-long'],
  ];

  it.each(sizeCases)('%s', (_name, line, expected) => {
    const kindOf = (r: LineTextResult) => (r.kind === 'malformed' ? r.reason : r.kind);
    expect(kindOf(lineText(line))).toBe(expected);
    expect(kindOf(lineText(Buffer.from(line)))).toBe(expected);
  });

  it('parses a 1 MiB line into an event with all its data', () => {
    const line = eventLine(MAX_LINE_BYTES, 'x');
    const parsed = parseEventLine(Buffer.from(line));
    expect(parsed).toEqual({
      kind: 'event',
      event: { eventType: 't', data: JSON.parse(line).data, timestamp: 1 },
    });
  });
});
