import { SettingError } from '@tally/settings';
import { undocumentedSettings } from '@tally/settings/testing';
import { DEFAULTS, loadConfig } from './config';

const clock = () => 1_700_000_000_123;

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env, clock);
  } catch (error) {
    if (error instanceof SettingError) return error.message;
    throw error;
  }
  throw new Error('expected a SettingError');
}

describe('loadConfig', () => {
  it('uses the defaults when nothing is set, with a seed from the clock', () => {
    expect(loadConfig({}, clock)).toEqual({
      fifoPath: DEFAULTS.FIFO_PATH,
      ratePerSecond: 10,
      count: 0,
      corruptRatio: 0.05,
      seed: 1_700_000_000_123 % 2 ** 32,
      seedFromClock: true,
      generatorCmd: undefined,
      transport: 'fifo',
      redisUrl: 'redis://127.0.0.1:6379',
      keyPrefix: 'events',
      streamMaxLength: 1000,
      streamEntryLines: 1000,
      producerId: undefined,
      idLeaseMs: 10_000,
    });
  });

  it('reads every setting', () => {
    const env = {
      FIFO_PATH: '/ipc/events.fifo',
      RATE: '0',
      COUNT: '1000',
      CORRUPT_RATIO: '0.5',
      SEED: '4294967295',
      GENERATOR_CMD: './blackbox.amd64',
      TRANSPORT: 'redis-stream',
      REDIS_URL: 'redis://h:6380/2',
      KEY_PREFIX: 'events2',
      STREAM_MAX_LEN: '50',
      STREAM_ENTRY_LINES: '10',
      PRODUCER_ID: 'producer-1',
    };
    expect(loadConfig(env, clock)).toEqual({
      fifoPath: '/ipc/events.fifo',
      ratePerSecond: 0,
      count: 1000,
      corruptRatio: 0.5,
      seed: 4294967295,
      seedFromClock: false,
      generatorCmd: './blackbox.amd64',
      transport: 'redis-stream',
      redisUrl: 'redis://h:6380/2',
      keyPrefix: 'events2',
      streamMaxLength: 50,
      streamEntryLines: 10,
      producerId: 'producer-1',
      idLeaseMs: 10_000,
    });
  });

  it.each([
    [{ CORRUPT_RATIO: '0' }, { corruptRatio: 0 }],
    [{ CORRUPT_RATIO: '1' }, { corruptRatio: 1 }],
    [{ SEED: '0' }, { seed: 0, seedFromClock: false }],
    [{ RATE: '1000000' }, { ratePerSecond: 1_000_000 }],
    [{ COUNT: '9007199254740991' }, { count: Number.MAX_SAFE_INTEGER }],
  ])('accepts the edge value %j', (env, expected) => {
    expect(loadConfig(env, clock)).toMatchObject(expected);
  });

  it('treats an empty GENERATOR_CMD as unset', () => {
    expect(loadConfig({ GENERATOR_CMD: '' }, clock).generatorCmd).toBeUndefined();
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(loadConfig({}, clock))).toBe(true);
  });

  it.each([
    ['FIFO_PATH', '', 'expected a file path'],
    ['RATE', 'abc', 'expected an integer from 0 to 1000000'],
    ['RATE', '-1', 'expected an integer from 0 to 1000000'],
    ['RATE', '1.5', 'expected an integer from 0 to 1000000'],
    ['RATE', '', 'expected an integer from 0 to 1000000'],
    ['RATE', '1000001', 'expected an integer from 0 to 1000000'],
    ['COUNT', '-5', 'expected an integer from 0 to 9007199254740991'],
    ['COUNT', '1e3', 'expected an integer from 0 to 9007199254740991'],
    ['CORRUPT_RATIO', '1.5', 'expected a decimal number from 0 to 1'],
    ['CORRUPT_RATIO', '-0.1', 'expected a decimal number from 0 to 1'],
    ['CORRUPT_RATIO', 'half', 'expected a decimal number from 0 to 1'],
    ['SEED', '4294967296', 'expected an integer from 0 to 4294967295'],
    ['SEED', '-1', 'expected an integer from 0 to 4294967295'],
    ['SEED', 'x', 'expected an integer from 0 to 4294967295'],
    ['TRANSPORT', '', 'expected fifo or redis-stream'],
    ['TRANSPORT', 'stream', 'expected fifo or redis-stream'],
    ['TRANSPORT', 'FIFO', 'expected fifo or redis-stream'],
    ['STREAM_MAX_LEN', '0', 'expected an integer from 1 to 100000000'],
    ['STREAM_MAX_LEN', 'many', 'expected an integer from 1 to 100000000'],
    ['STREAM_ENTRY_LINES', '0', 'expected an integer from 1 to 100000'],
    ['PRODUCER_ID', '', 'expected 1-64 characters of A-Z a-z 0-9 . _ -'],
    ['PRODUCER_ID', 'a b', 'expected 1-64 characters of A-Z a-z 0-9 . _ -'],
  ])('rejects %s=%j with one line naming it', (name, value, expected) => {
    expect(errorOf({ [name]: value })).toBe(
      `invalid ${name} ${JSON.stringify(value)}: ${expected}`,
    );
  });

  it.each([
    ['REDIS_URL', 'redis//x'],
    ['KEY_PREFIX', ''],
  ])('rejects %s=%j naming it', (name, value) => {
    expect(errorOf({ [name]: value })).toMatch(new RegExp(`^invalid ${name} `));
  });

  it('still validates RATE when GENERATOR_CMD is set', () => {
    expect(errorOf({ GENERATOR_CMD: 'cat', RATE: 'fast' })).toMatch(/^invalid RATE "fast"/);
  });
});

describe('the README documents every producer setting', () => {
  it("reads no variable that the README's settings tables lack", () => {
    expect(
      undocumentedSettings(
        (env) => loadConfig(env),
        [{}, { TRANSPORT: 'redis-stream', PRODUCER_ID: 'a', GENERATOR_CMD: 'cat' }],
      ),
    ).toEqual([]);
  });
});
