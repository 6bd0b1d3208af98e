import { redactUserInfo } from './redact';

describe('redactUserInfo', () => {
  it.each([
    ['redis://:s3cret@redis:6379', 'redis://***@redis:6379'],
    ['redis://user:s3cret@127.0.0.1:6379/2', 'redis://***@127.0.0.1:6379/2'],
    ['rediss://default:p@ss@host', 'rediss://***@host'],
    ['redis//user:s3cret@host', 'redis//***@host'],
    ['user:s3cret@host:6379', '***@host:6379'],
    ['http://user:s3cret@host/a@b', 'http://***@host/a@b'],
  ])('cuts the user-info out of %j', (input, shown) => {
    expect(redactUserInfo(input)).toBe(shown);
    expect(redactUserInfo(input)).not.toContain('s3cret');
  });

  it.each(['redis://127.0.0.1:6379', 'redis://redis', 'not a url', ''])(
    'leaves %j as it is',
    (input) => {
      expect(redactUserInfo(input)).toBe(input);
    },
  );
});
