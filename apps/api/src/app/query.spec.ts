import { HttpError } from './errors';
import { parseCountParams, toCountQuery } from './query';

const RETENTION = 3600;

function errorOf(query: Record<string, unknown>): HttpError {
  try {
    parseCountParams(query, RETENTION);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(query)}`);
}

describe('parseCountParams', () => {
  it('returns no limits when neither parameter is given', () => {
    expect(parseCountParams({}, RETENTION)).toEqual({ top: undefined, window: undefined });
  });

  it.each([
    [{ top: '1' }, { top: 1 }],
    [{ top: '10000' }, { top: 10000 }],
    [{ top: '25' }, { top: 25 }],
    [{ window: '1' }, { window: 1 }],
    [{ window: '3600' }, { window: 3600 }],
    [
      { window: '60', top: '5' },
      { window: 60, top: 5 },
    ],
  ])('accepts %j', (query, expected) => {
    expect(parseCountParams(query, RETENTION)).toEqual({
      top: undefined,
      window: undefined,
      ...expected,
    });
  });

  it('ignores unknown parameters, including ones that differ only in case', () => {
    expect(
      parseCountParams({ Top: 'x', limit: '0', foo: ['a', 'b'], top: '3' }, RETENTION),
    ).toEqual({
      top: 3,
      window: undefined,
    });
  });

  it('does not read parameters from the prototype chain', () => {
    const query = Object.create({ top: '0' }) as Record<string, unknown>;
    expect(parseCountParams(query, RETENTION)).toEqual({ top: undefined, window: undefined });
  });

  it.each([
    ['0'],
    ['01'],
    ['-1'],
    ['+1'],
    ['1e2'],
    ['1.0'],
    ['0x10'],
    ['10001'],
    ['99999999999999999999999'],
    [''],
    [' 1'],
    ['a'],
    ['１'],
  ])('rejects top=%j with a 400 that says what is allowed', (value) => {
    const error = errorOf({ top: value });
    expect(error.status).toBe(400);
    expect(error.code).toBe('ERR_INVALID_PARAMETER');
    expect(error.message).toBe(
      `invalid "top" parameter ${JSON.stringify(value)}: expected an integer from 1 to 10000`,
    );
  });

  it.each([['0'], ['3601'], [''], ['-60'], ['60s']])(
    'rejects window=%j naming the retention',
    (value) => {
      const error = errorOf({ window: value });
      expect(error.status).toBe(400);
      expect(error.message).toBe(
        `invalid "window" parameter ${JSON.stringify(value)}: ` +
          'expected an integer number of seconds from 1 to 3600 (the retention, WINDOW_RETENTION_S)',
      );
    },
  );

  it('uses the configured retention as the largest window', () => {
    expect(parseCountParams({ window: '7200' }, 7200).window).toBe(7200);
    expect(() => parseCountParams({ window: '61' }, 60)).toThrow('from 1 to 60');
  });

  it('rejects a repeated parameter, even with valid values', () => {
    expect(errorOf({ top: ['1', '2'] }).message).toBe(
      'invalid "top" parameter: given 2 times, expected once, an integer from 1 to 10000',
    );
    expect(errorOf({ window: ['60', '60'] }).status).toBe(400);
  });

  it('rejects a value of another shape (as an extended query parser would give)', () => {
    expect(errorOf({ top: { a: '1' } }).message).toBe(
      'invalid "top" parameter: expected an integer from 1 to 10000',
    );
  });

  it('shortens a long bad value in the message', () => {
    const message = errorOf({ top: 'x'.repeat(10_000) }).message;
    expect(message.length).toBeLessThan(200);
    expect(message).toContain('…');
  });
});

describe('toCountQuery', () => {
  it('passes top alone when there is no window', () => {
    expect(toCountQuery({ top: 5 }, 1_700_000_000)).toEqual({ span: 'all', top: 5 });
  });

  it('passes the window and the server clock for a windowed read', () => {
    expect(toCountQuery({ window: 60 }, 1_700_000_000)).toEqual({
      span: 'window',
      seconds: 60,
      nowSeconds: 1_700_000_000,
      top: undefined,
    });
  });
});
