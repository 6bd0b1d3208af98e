import { classifyLine, countStream, referenceWords } from './support/reference';

// The fault tests' expectations are only as good as this reference, so it is checked against
// the examples SPEC §1 and §2 give (no Redis, no processes).
describe('the reference counter of the fault tests', () => {
  it.each([
    ['Hello, world! HELLO', ['hello', 'world', 'hello']],
    ['  ', []],
    ['__proto__ 42 ünïcode', ['proto', '42', 'ünïcode']],
    ["don't e-mail rock'n'roll", ["don't", 'e-mail', "rock'n'roll"]],
    ["-- 'quoted' end-", ['quoted', 'end']],
    ['don’t', ['don’t']],
    ['e\u0301te\u0301', ['été']],
    [`${'a'.repeat(128)} ${'b'.repeat(129)}`, ['a'.repeat(128)]],
  ])('finds the words of %j', (data, words) => {
    expect(referenceWords(data)).toEqual(words);
  });

  it.each([
    ['{ "event_type": "baz", "data": "amet", "timestamp": 1564039783 }', 'event'],
    ['{ "event_type": "foo", "data": "dolor ipsum", "timestamp": 1564039789 }\r', 'event'],
    ['{ "Cu*S', 'malformed'],
    ['', 'blank'],
    [' \t\r', 'blank'],
    ['[1,2,3]', 'malformed'],
    ['{"event_type":"","data":"x","timestamp":1}', 'malformed'],
    ['{"event_type":"foo","data":"x","timestamp":-1}', 'malformed'],
    ['{"event_type":"foo","data":"x","timestamp":"1"}', 'malformed'],
    ['{"event_type":"foo","data":"\\ud800","timestamp":1}', 'malformed'],
    ['{"event_type":"foo","data":"x","timestamp":1,}', 'malformed'],
    [`{"event_type":"${'😀'.repeat(256)}","data":"","timestamp":0}`, 'event'],
    [`{"event_type":"${'😀'.repeat(257)}","data":"","timestamp":0}`, 'malformed'],
  ])('classifies %j as %s', (line, kind) => {
    expect(classifyLine(Buffer.from(line)).kind).toBe(kind);
  });

  it('treats invalid UTF-8 and over-long lines as malformed', () => {
    const valid = '{"event_type":"foo","data":"x","timestamp":1}';
    expect(classifyLine(Buffer.concat([Buffer.from(valid), Buffer.from([0xff])])).kind).toBe(
      'malformed',
    );
    expect(classifyLine(Buffer.alloc(1_048_577, 0x20)).kind).toBe('malformed');
  });

  it('counts a stream whose last line has no newline', () => {
    const counts = countStream(
      Buffer.from(
        '{"event_type":"__proto__","data":"a A","timestamp":1}\nnope\n\n{"event_type":"b","data":"","timestamp":2}',
      ),
    );
    expect(counts.events).toBe(2);
    expect(counts.malformedLines).toBe(1);
    expect([...counts.types]).toEqual([
      ['__proto__', 1],
      ['b', 1],
    ]);
    expect([...counts.words]).toEqual([['a', 2]]);
  });
});
