import {
  readChoice,
  readDecimal,
  readHost,
  readWindowRetention,
  readInteger,
  readKeyPrefix,
  readPath,
  readPort,
  readRedisUrl,
  readString,
} from './readers';
import { SettingError } from './setting-error';

function errorOf(fn: () => unknown): SettingError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SettingError) return error;
    throw error;
  }
  throw new Error('expected a SettingError');
}

describe('readString', () => {
  it('returns the fallback when the variable is unset', () => {
    expect(readString({}, 'X', 'dflt')).toBe('dflt');
  });
  it('rejects an empty value unless allowed', () => {
    expect(errorOf(() => readString({ X: '' }, 'X', 'd')).message).toBe(
      'invalid X "": expected a non-empty string',
    );
    expect(readString({ X: '' }, 'X', 'd', { allowEmpty: true })).toBe('');
  });
});

describe('readInteger', () => {
  const range = { min: 0, max: 100 };
  it.each([
    ['0', 0],
    ['7', 7],
    ['100', 100],
  ])('accepts %j', (value, expected) => {
    expect(readInteger({ N: value }, 'N', 5, range)).toBe(expected);
  });
  it('returns the fallback when unset', () => {
    expect(readInteger({}, 'N', 5, range)).toBe(5);
  });
  it.each(['', '-1', '+1', '01', '1e2', '1.5', 'abc', ' 1', '101', '99999999999999999999'])(
    'rejects %j with a message naming the variable and the range',
    (value) => {
      const error = errorOf(() => readInteger({ N: value }, 'N', 5, range));
      expect(error.code).toBe('ERR_INVALID_SETTING');
      expect(error.message).toBe(
        `invalid N ${JSON.stringify(value)}: expected an integer from 0 to 100`,
      );
    },
  );
});

describe('readDecimal', () => {
  const range = { min: 0, max: 1 };
  it.each([
    ['0', 0],
    ['0.05', 0.05],
    ['1', 1],
    ['1.0', 1],
  ])('accepts %j', (value, expected) => {
    expect(readDecimal({ R: value }, 'R', 0.5, range)).toBe(expected);
  });
  it.each(['', '-0.1', '.5', '5.', '1.01', '2', 'NaN', 'Infinity', '1e-3'])(
    'rejects %j',
    (value) => {
      expect(() => readDecimal({ R: value }, 'R', 0.5, range)).toThrow(SettingError);
    },
  );
});

describe('readPort', () => {
  it.each(['0', '65536', '-1', 'abc', ''])('rejects %j', (value) => {
    expect(errorOf(() => readPort({ PORT: value }, 'PORT', 5000)).expected).toBe(
      'expected an integer from 1 to 65535',
    );
  });
  it('accepts 1 and 65535 and defaults when unset', () => {
    expect(readPort({ PORT: '1' }, 'PORT', 5000)).toBe(1);
    expect(readPort({ PORT: '65535' }, 'PORT', 5000)).toBe(65535);
    expect(readPort({}, 'PORT', 5000)).toBe(5000);
  });
});

describe('readRedisUrl', () => {
  it.each([
    'redis://127.0.0.1:6379',
    'redis://localhost',
    'rediss://user:secret@cache.example:6380/2',
    'redis://redis:6379/0',
  ])('accepts %s', (value) => {
    expect(readRedisUrl({ REDIS_URL: value }, 'REDIS_URL', 'redis://127.0.0.1:6379')).toBe(value);
  });
  it.each([
    '',
    'redis//x',
    'http://127.0.0.1:6379',
    '127.0.0.1:6379',
    'redis://',
    'redis://h:99999',
    'redis://h/abc',
  ])('rejects %j', (value) => {
    expect(() => readRedisUrl({ REDIS_URL: value }, 'REDIS_URL', 'redis://x')).toThrow(
      SettingError,
    );
  });
  it('defaults when unset', () => {
    expect(readRedisUrl({}, 'REDIS_URL', 'redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
  it.each([
    'redis://user:hunter2@h:99999',
    'redis//:hunter2@h',
    'http://u:hunter2@h',
    'u:hunter2@h',
  ])('never shows the password of an invalid URL (%j) in its error', (value) => {
    let message = '';
    try {
      readRedisUrl({ REDIS_URL: value }, 'REDIS_URL', 'redis://x');
    } catch (error) {
      message = (error as SettingError).message;
    }
    expect(message).toMatch(/^invalid REDIS_URL ".*\*\*\*@h(:99999)?"/);
    expect(message).not.toContain('hunter2');
  });
});

describe('readKeyPrefix', () => {
  it.each(['events', 'events2', 'test-3f1c', 'a{b}', '{events}'])('accepts %j', (value) => {
    expect(readKeyPrefix({ KEY_PREFIX: value }, 'KEY_PREFIX', 'events')).toBe(value);
  });
  it.each(['', 'has space', 'tab\there', 'nl\n', 'events:rank', ':', 'events:'])(
    'rejects %j',
    (value) => {
      expect(() => readKeyPrefix({ KEY_PREFIX: value }, 'KEY_PREFIX', 'events')).toThrow(
        SettingError,
      );
    },
  );
});

describe('readPath', () => {
  it('rejects an empty path and a NUL byte', () => {
    expect(() => readPath({ P: '' }, 'P', '/tmp/x')).toThrow(SettingError);
    expect(() => readPath({ P: 'a\0b' }, 'P', '/tmp/x')).toThrow(SettingError);
  });
  it('accepts a path and defaults when unset', () => {
    expect(readPath({ P: '/ipc/events.fifo' }, 'P', '/tmp/x')).toBe('/ipc/events.fifo');
    expect(readPath({}, 'P', '/tmp/x')).toBe('/tmp/x');
  });
});

describe('readHost', () => {
  it('accepts an address and defaults when unset', () => {
    expect(readHost({ HOST: '127.0.0.1' }, 'HOST', '0.0.0.0')).toBe('127.0.0.1');
    expect(readHost({}, 'HOST', '0.0.0.0')).toBe('0.0.0.0');
  });
  it.each(['', 'a b', 'x\n'])('rejects %j', (value) => {
    expect(() => readHost({ HOST: value }, 'HOST', '0.0.0.0')).toThrow(SettingError);
  });
});

describe('readChoice', () => {
  const choices = ['fifo', 'redis-stream'] as const;
  it('accepts one of the choices and defaults when unset', () => {
    expect(readChoice({ T: 'redis-stream' }, 'T', 'fifo', choices)).toBe('redis-stream');
    expect(readChoice({}, 'T', 'fifo', choices)).toBe('fifo');
  });
  it('names the choices when the value is not one of them', () => {
    expect(errorOf(() => readChoice({ T: 'FIFO' }, 'T', 'fifo', choices)).message).toBe(
      'invalid T "FIFO": expected fifo or redis-stream',
    );
  });
});

describe('readWindowRetention', () => {
  it('accepts 1 to 366 days and refuses 0 and more', () => {
    expect(readWindowRetention({ WINDOW_RETENTION_S: '1' }, 3600)).toBe(1);
    expect(readWindowRetention({}, 3600)).toBe(3600);
    expect(() => readWindowRetention({ WINDOW_RETENTION_S: '0' }, 3600)).toThrow(SettingError);
    expect(() =>
      readWindowRetention({ WINDOW_RETENTION_S: String(366 * 86400 + 1) }, 3600),
    ).toThrow(SettingError);
  });
});
