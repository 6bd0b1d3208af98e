import { SettingError } from './setting-error';
import {
  defaultWriterId,
  readRedisSettings,
  readTransport,
  readWriterId,
  SHARED_DEFAULTS,
} from './shared';

describe('readRedisSettings', () => {
  it('takes the shared defaults when unset', () => {
    expect(readRedisSettings({})).toEqual({
      redisUrl: SHARED_DEFAULTS.REDIS_URL,
      keyPrefix: SHARED_DEFAULTS.KEY_PREFIX,
    });
  });
  it('rejects a prefix with a colon, naming KEY_PREFIX', () => {
    expect(() => readRedisSettings({ KEY_PREFIX: 'events:rank' })).toThrow(/KEY_PREFIX/);
  });
});

describe('readTransport', () => {
  it('defaults to fifo and accepts redis-stream', () => {
    expect(readTransport({})).toBe('fifo');
    expect(readTransport({ TRANSPORT: 'redis-stream' })).toBe('redis-stream');
  });
  it('rejects another spelling', () => {
    expect(() => readTransport({ TRANSPORT: 'stream' })).toThrow(
      'invalid TRANSPORT "stream": expected fifo or redis-stream',
    );
  });
});

describe('readWriterId', () => {
  it.each(['INGEST_ID', 'PRODUCER_ID'] as const)('%s: unset is undefined', (name) => {
    expect(readWriterId({}, name)).toBeUndefined();
  });
  it.each(['a', 'A-z_0.9', 'x'.repeat(64)])('accepts %j', (id) => {
    expect(readWriterId({ INGEST_ID: id }, 'INGEST_ID')).toBe(id);
  });
  it.each(['', 'a b', 'a:b', 'x'.repeat(65), 'é'])('rejects %j naming the variable', (id) => {
    expect(() => readWriterId({ PRODUCER_ID: id }, 'PRODUCER_ID')).toThrow(SettingError);
    expect(() => readWriterId({ PRODUCER_ID: id }, 'PRODUCER_ID')).toThrow(/PRODUCER_ID/);
  });
});

describe('defaultWriterId', () => {
  it('is host-pid-random and differs per call', () => {
    const a = defaultWriterId();
    expect(a).toMatch(new RegExp(`-${process.pid}-[0-9a-f]{8}$`));
    expect(defaultWriterId()).not.toBe(a);
  });
});
