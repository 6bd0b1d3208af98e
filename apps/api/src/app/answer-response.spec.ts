import { matchesIfNoneMatch } from './answer-response';

describe('matchesIfNoneMatch', () => {
  const etag = 'W/"42-words:top=:window=@"';

  it.each([
    [etag, true],
    ['"42-words:top=:window=@"', true], // weak comparison: W/ or not
    [`"other", ${etag}`, true],
    [`W/"a",W/"42-words:top=:window=@",W/"b"`, true],
    ['*', true],
    [' * ', true],
    ['W/"41-words:top=:window=@"', false],
    ['W/"42-words:top=10:window=@"', false],
    ['42-words:top=:window=@', false], // not quoted: not an entity tag
    ['', false],
    [undefined, false],
  ])('If-None-Match %j matches: %s', (header, expected) => {
    expect(matchesIfNoneMatch(header, etag)).toBe(expected);
  });
});
