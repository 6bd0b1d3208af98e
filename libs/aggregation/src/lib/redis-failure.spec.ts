import { ReplyError } from 'ioredis';
import { redisFailureReason } from './redis-failure';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Builds an error the way ioredis does: a class whose `name` getter is the class name. */
function named(name: string, message: string): Error {
  const error = new Error(message);
  Object.defineProperty(error, 'name', { value: name });
  return error;
}

describe('redisFailureReason', () => {
  it.each([
    [new Error("Stream isn't writeable and enableOfflineQueue options is false"), 'not connected'],
    [new Error('Connection is closed.'), 'connection closed'],
    [new Error('Command timed out'), 'command timed out'],
    [
      named('MaxRetriesPerRequestError', 'Reached the max retries per request limit (which is 0).'),
      'connection lost during the command',
    ],
    [
      named('AbortError', 'Command aborted due to connection close'),
      'connection lost during the command',
    ],
    [
      withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'),
      'connection error (ECONNREFUSED)',
    ],
    [withCode('read ECONNRESET', 'ECONNRESET'), 'connection error (ECONNRESET)'],
    [withCode('connect ETIMEDOUT', 'ETIMEDOUT'), 'connection error (ETIMEDOUT)'],
    [new ReplyError('LOADING Redis is loading the dataset in memory'), 'server answered LOADING'],
    [
      new ReplyError("OOM command not allowed when used memory > 'maxmemory'."),
      'server answered OOM',
    ],
    [new ReplyError('BUSY Redis is busy running a script.'), 'server answered BUSY'],
  ])('recognizes %p as Redis being unavailable', (error, reason) => {
    expect(redisFailureReason(error)).toBe(reason);
  });

  it('never shows the address a connection error names', () => {
    const error = withCode('connect ECONNREFUSED 10.1.2.3:6380', 'ECONNREFUSED');
    expect(redisFailureReason(error)).not.toMatch(/10\.1\.2\.3|6380/);
  });

  it.each([
    [new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value')],
    [new ReplyError('ERR unknown command')],
    [new Error('LOADING but not from Redis')],
    [new TypeError("Cannot read properties of undefined (reading 'x')")],
    [withCode('permission denied', 'EACCES')],
    ['Connection is closed.'],
    [undefined],
  ])('leaves %p to the 500 path', (error) => {
    expect(redisFailureReason(error)).toBeUndefined();
  });
});
