import { hasLoneSurrogate, mayHaveSurrogateEscape } from './lone-surrogate';

describe('mayHaveSurrogateEscape', () => {
  it.each<[string, string, boolean]>([
    ['is false for text without escapes', '{"a":"b"}', false],
    ['is false for a non-surrogate escape', '"\\u00e9\\u20ac"', false],
    ['is false for the escape just below the surrogates', '"\\ud7ff"', false],
    ['is true for the first high surrogate', '"\\ud800"', true],
    ['is true for the last low surrogate', '"\\udfff"', true],
    ['is true for upper-case hex digits', '"\\uDBFF"', true],
    ['is true for mixed-case hex digits', '"\\uDc0a"', true],
    ['is true for an escaped backslash, a harmless false positive', '"\\\\ud800"', true],
    ['is false for an upper-case U, which JSON does not accept anyway', '"\\Ud800"', false],
  ])('%s', (_name, json, expected) => {
    expect(mayHaveSurrogateEscape(json)).toBe(expected);
  });
});

describe('hasLoneSurrogate', () => {
  it.each<[string, unknown, boolean]>([
    ['is false for well-formed strings everywhere', { a: ['b', { c: 'd😀' }], e: 1 }, false],
    ['is false for values without strings', [1, null, true, {}], false],
    ['finds one in a top-level string', '\ud800', true],
    ['finds one in an object key', { '\udc00': 1 }, true],
    ['finds one in a nested key', { a: [{ ['x\ud800']: null }] }, true],
    ['finds one in a nested value', { a: [{ b: ['ok', 'x\udfff'] }] }, true],
    ['finds one under an own __proto__ key', JSON.parse('{"__proto__":{"k":"\\ud800"}}'), true],
  ])('%s', (_name, value, expected) => {
    expect(hasLoneSurrogate(value)).toBe(expected);
  });
});
