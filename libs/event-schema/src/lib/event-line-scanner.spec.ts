import { MAX_LINE_BYTES, type ParsedLine } from './event';
import { scanEventLine } from './event-line-scanner';
import { parseEventLine } from './parse-event-line';
import { referenceParseEventLine } from './reference-parse';

const scan = (line: string) => scanEventLine(Buffer.from(line));

describe('scanEventLine', () => {
  // The scanner must answer these itself (the fast path), and answer as the reference does.
  // One case per row: kept as a table on purpose.
  // prettier-ignore
  const handled: Array<[string, string]> = [
    ['a blackbox line', '{ "event_type": "baz", "data": "lorem ipsum dolor", "timestamp": 1564039783 }'],
    ['a compact CRLF line', '{"event_type":"foo","data":"","timestamp":0}\r'],
    ['fields in another order', '{"timestamp":1,"data":"d","event_type":"t"}'],
    ['a repeated key, the last one winning', '{"event_type":"a","event_type":"b","data":"d","timestamp":1}'],
    ['extra scalar members', '{"id":7,"ok":true,"none":null,"x":"y","event_type":"t","data":"d","timestamp":1}'],
    ['an escaped quote in data', '{"event_type":"t","data":"say \\"hi\\"","timestamp":1}'],
    ['a non-surrogate \\u escape', '{"event_type":"t","data":"caf\\u00e9","timestamp":1}'],
    ['raw UTF-8 in event_type and data', '{"event_type":"ünï😀","data":"ёлка","timestamp":1}'],
    ['256 ASCII characters of event_type', `{"event_type":"${'a'.repeat(256)}","data":"d","timestamp":1}`],
    ['257 ASCII characters of event_type', `{"event_type":"${'a'.repeat(257)}","data":"d","timestamp":1}`],
    ['257 emoji of event_type', `{"event_type":"${'😀'.repeat(257)}","data":"d","timestamp":1}`],
    ['a fractional, an exponent and a negative-zero timestamp', '{"event_type":"t","data":"d","timestamp":1.5e9,"timestamp":-0}'],
    ['a negative timestamp', '{"event_type":"t","data":"d","timestamp":-1}'],
    ['a timestamp of 1e400', '{"event_type":"t","data":"d","timestamp":1e400}'],
    ['a string timestamp', '{ "event_type": "baz", "data": "amet", "timestamp": "1564039783" }'],
    ['a missing field', '{"event_type":"t","data":"d"}'],
    ['an empty object', '{}'],
    ['a truncated line', '{ "event_type": "baz", "data": "lor'],
    ['the blackbox garbage line', '{ "Cu*S'],
    ['a leading zero', '{"event_type":"t","data":"d","timestamp":01}'],
    ['a trailing comma', '{"event_type":"t","data":"d","timestamp":1,}'],
    ['text after the object', '{"event_type":"t","data":"d","timestamp":1} x'],
    ['a raw tab inside a string', '{"event_type":"t","data":"a\tb","timestamp":1}'],
    ['an unknown escape', '{"event_type":"t","data":"\\x41","timestamp":1}'],
  ];

  it.each(handled)('answers for %s', (_name, line) => {
    const answer = scan(line);
    expect(answer).toBeDefined();
    expect(answer).toEqual(referenceParseEventLine(line));
  });

  it('answers invalid-utf8 for bad bytes in a string, and in a line that is not JSON anyway', () => {
    const bad = (text: string) => Buffer.from(text, 'latin1'); // ÿ becomes the byte FF
    const invalidUtf8: ParsedLine = { kind: 'malformed', reason: 'invalid-utf8' };
    expect(scanEventLine(bad('{"event_type":"\u00ff","data":"d","timestamp":1}'))).toEqual(
      invalidUtf8,
    );
    expect(scanEventLine(bad('{"event_type" \u00ff'))).toEqual(invalidUtf8);
  });

  // prettier-ignore
  const leftToReference: Array<[string, string]> = [
    ['a blank line', ' \t\r'],
    ['an array', '[{"event_type":"t","data":"d","timestamp":1}]'],
    ['a nested extra member', '{"meta":{"a":1},"event_type":"t","data":"d","timestamp":1}'],
    ['a surrogate escape, even a paired one', '{"event_type":"t","data":"\\ud83d\\ude00","timestamp":1}'],
    ['an escaped key, which could spell a field name', '{"event_type":"t","d\\u0061ta":"d","timestamp":1}'],
  ];

  it.each(leftToReference)('leaves %s to the reference', (_name, line) => {
    expect(scan(line)).toBeUndefined();
  });

  it('returns each of many event types exactly, whatever the cache holds', () => {
    // Prefixes of each other and more types than cache slots: hits, misses and evictions.
    const types = Array.from({ length: 2000 }, (_, i) => 'abcdefghij'.slice(0, 1 + (i % 10)) + i);
    for (const round of [0, 1]) {
      for (const type of round === 0 ? types : [...types].reverse()) {
        const line = `{"event_type":"${type}","data":"d","timestamp":1}`;
        const parsed = scan(line);
        expect(parsed?.kind === 'event' && parsed.event.eventType).toBe(type);
      }
    }
  });
});

describe('parseEventLine around the scanner', () => {
  it('answers too-long for a line of 1 MiB and one byte without scanning it', () => {
    const line = Buffer.alloc(MAX_LINE_BYTES + 1, 0x20);
    line[0] = 0x7b; // `{`
    expect(parseEventLine(line)).toEqual({ kind: 'malformed', reason: 'too-long' });
  });

  it('scans a line of exactly 1 MiB', () => {
    const head = '{"event_type":"t","timestamp":1,"data":"';
    const data = 'x'.repeat(MAX_LINE_BYTES - head.length - 2);
    const line = Buffer.from(`${head}${data}"}`);
    expect(line.length).toBe(MAX_LINE_BYTES);
    expect(scanEventLine(line)).toEqual({
      kind: 'event',
      event: { eventType: 't', data, timestamp: 1 },
    });
  });

  it('returns strings that do not change when the line buffer is reused', () => {
    const line = Buffer.from('{"event_type":"type-reused","data":"data-reused","timestamp":1}');
    const parsed = parseEventLine(line);
    line.fill(0x78);
    expect(parsed).toEqual({
      kind: 'event',
      event: { eventType: 'type-reused', data: 'data-reused', timestamp: 1 },
    });
  });
});
