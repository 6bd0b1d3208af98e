import { DeadlineExceededError } from './deadline-exceeded-error';
import { toHttpError } from './error-handler';
import { HttpError, invalidParameter, methodNotAllowed } from './http-error';
import { TooManyReadsError } from './too-many-reads-error';

describe('toHttpError', () => {
  it('keeps an HttpError as it is', () => {
    const error = invalidParameter(
      'invalid "top" parameter "0": expected an integer from 1 to 10000',
    );
    expect(toHttpError(error)).toBe(error);
  });

  it('keeps the Allow header of a 405', () => {
    const error = toHttpError(methodNotAllowed('POST', '/health', ['GET', 'HEAD']));
    expect(error.status).toBe(405);
    expect(error.headers).toEqual({ Allow: 'GET, HEAD' });
    expect(error.message).toBe('method not allowed: POST /health; allowed: GET, HEAD');
  });

  it('turns an ioredis outage into a 503 that names the reason', () => {
    const cause = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    const error = toHttpError(cause);
    expect(error).toMatchObject({
      status: 503,
      code: 'ERR_REDIS_UNAVAILABLE',
      message: 'redis unavailable: not connected',
    });
    expect(error.cause).toBe(cause);
  });

  it('turns a missed deadline into a 503', () => {
    expect(toHttpError(new DeadlineExceededError(1500))).toMatchObject({
      status: 503,
      message: 'redis unavailable: no answer within 1500 ms',
    });
  });

  it('turns too many reads in flight into a 503 busy with Retry-After', () => {
    expect(toHttpError(new TooManyReadsError(64))).toMatchObject({
      status: 503,
      code: 'ERR_BUSY',
      message: 'busy: 64 different reads are waiting for Redis, the most allowed',
      headers: { 'Retry-After': '1' },
    });
  });

  it('keeps the 4xx status of an http-errors style error, with its message only when exposed', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      expose: true,
    });
    expect(toHttpError(tooLarge)).toMatchObject({
      status: 413,
      code: 'ERR_BAD_REQUEST',
      message: 'request entity too large',
    });
    const hidden = Object.assign(new Error('secret detail'), { statusCode: 400, expose: false });
    expect(toHttpError(hidden)).toMatchObject({ status: 400, message: 'bad request' });
  });

  it.each([
    [new TypeError('x is not a function')],
    [Object.assign(new Error('server side'), { status: 502 })],
    ['a thrown string'],
    [null],
  ])('turns anything else (%p) into a 500 that says nothing more', (cause) => {
    const error = toHttpError(cause);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 500, code: 'ERR_INTERNAL', message: 'internal error' });
    expect(error.cause).toBe(cause);
  });
});
