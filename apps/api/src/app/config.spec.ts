import { SettingError } from '@tally/settings';
import { undocumentedSettings } from '@tally/settings/testing';
import { loadConfig } from './config';

function settingErrorOf(env: Record<string, string>): SettingError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof SettingError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig (api)', () => {
  it('uses the SPEC defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      keyPrefix: 'events',
      port: 5000,
      host: '0.0.0.0',
      windowRetentionSeconds: 3600,
      readCacheMs: 100,
      liveMaxClients: 1000,
    });
  });

  it('returns a frozen config', () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });

  it('reads every setting', () => {
    expect(
      loadConfig({
        REDIS_URL: 'rediss://user:pw@redis.internal:6380/2',
        KEY_PREFIX: 'events2',
        PORT: '8080',
        HOST: '127.0.0.1',
        WINDOW_RETENTION_S: '60',
        READ_CACHE_MS: '250',
        LIVE_MAX_CLIENTS: '20',
      }),
    ).toEqual({
      redisUrl: 'rediss://user:pw@redis.internal:6380/2',
      keyPrefix: 'events2',
      port: 8080,
      host: '127.0.0.1',
      windowRetentionSeconds: 60,
      readCacheMs: 250,
      liveMaxClients: 20,
    });
  });

  it.each([
    ['PORT', '1', 1],
    ['PORT', '65535', 65535],
    ['WINDOW_RETENTION_S', '1', 1],
    ['READ_CACHE_MS', '0', 0],
    ['READ_CACHE_MS', '1000', 1000],
    ['LIVE_MAX_CLIENTS', '1', 1],
    ['LIVE_MAX_CLIENTS', '10000', 10000],
    ['HOST', '::', '::'],
    ['HOST', 'localhost', 'localhost'],
  ])('accepts %s=%j at the edge of its range', (name, value, expected) => {
    const key = {
      PORT: 'port',
      WINDOW_RETENTION_S: 'windowRetentionSeconds',
      HOST: 'host',
      READ_CACHE_MS: 'readCacheMs',
      LIVE_MAX_CLIENTS: 'liveMaxClients',
    }[name] as 'port' | 'windowRetentionSeconds' | 'host' | 'readCacheMs' | 'liveMaxClients';
    expect(loadConfig({ [name]: value })[key]).toBe(expected);
  });

  it.each([
    ['REDIS_URL', ''],
    ['REDIS_URL', 'redis//x'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['KEY_PREFIX', ''],
    ['KEY_PREFIX', 'has space'],
    ['PORT', ''],
    ['PORT', 'abc'],
    ['PORT', '0'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['PORT', '0080'],
    ['PORT', '1e3'],
    ['HOST', ''],
    ['HOST', ' 127.0.0.1'],
    ['HOST', 'a\tb'],
    ['WINDOW_RETENTION_S', ''],
    ['WINDOW_RETENTION_S', '0'],
    ['WINDOW_RETENTION_S', '-5'],
    ['WINDOW_RETENTION_S', 'abc'],
    ['WINDOW_RETENTION_S', '3600.5'],
    ['WINDOW_RETENTION_S', '99999999999'],
    ['READ_CACHE_MS', ''],
    ['READ_CACHE_MS', '-1'],
    ['READ_CACHE_MS', '1001'],
    ['READ_CACHE_MS', '100ms'],
    ['READ_CACHE_MS', '0.5'],
    ['READ_CACHE_MS', '050'],
    ['LIVE_MAX_CLIENTS', ''],
    ['LIVE_MAX_CLIENTS', '0'],
    ['LIVE_MAX_CLIENTS', '10001'],
    ['LIVE_MAX_CLIENTS', '-1'],
    ['LIVE_MAX_CLIENTS', '1e3'],
    ['LIVE_MAX_CLIENTS', 'many'],
  ])('rejects %s=%j with a message naming the variable and the value', (name, value) => {
    const error = settingErrorOf({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message).toContain(`invalid ${name} ${JSON.stringify(value)}: expected`);
  });
});

describe('the README documents every api setting', () => {
  it("reads no variable that the README's settings tables lack", () => {
    expect(undocumentedSettings((env) => loadConfig(env), [{}])).toEqual([]);
  });
});
