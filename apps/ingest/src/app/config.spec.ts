import { SettingError } from '@tally/settings';
import { undocumentedSettings } from '@tally/settings/testing';
import { DEFAULTS, loadConfig } from './config';

describe('loadConfig (ingest)', () => {
  it('uses the SPEC defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      keyPrefix: 'events',
      fifoPath: '/tmp/events.fifo',
      windowRetentionSeconds: 3600,
      flushIntervalMs: DEFAULTS.FLUSH_INTERVAL_MS,
      batchMaxKeys: DEFAULTS.BATCH_MAX_KEYS,
      maxPendingKeys: DEFAULTS.MAX_PENDING_KEYS,
      ingestId: undefined,
      healthPort: 9464,
      healthHost: '0.0.0.0',
      transport: 'fifo',
      streamClaimIdleMs: 30_000,
      streamReadCount: 16,
      idLeaseMs: 10_000,
    });
  });

  it('returns a frozen config', () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });

  it('reads every setting', () => {
    const config = loadConfig({
      REDIS_URL: 'rediss://h:6380/1',
      KEY_PREFIX: 'events2',
      FIFO_PATH: '/ipc/events.fifo',
      WINDOW_RETENTION_S: '60',
      FLUSH_INTERVAL_MS: '10',
      BATCH_MAX_KEYS: '100',
      MAX_PENDING_KEYS: '1000',
      INGEST_ID: 'ingest-1',
      HEALTH_PORT: '19464',
      HEALTH_HOST: '127.0.0.1',
      TRANSPORT: 'redis-stream',
      STREAM_CLAIM_IDLE_MS: '500',
      STREAM_READ_COUNT: '4',
      ID_LEASE_MS: '2000',
    });
    expect(config).toMatchObject({
      redisUrl: 'rediss://h:6380/1',
      keyPrefix: 'events2',
      fifoPath: '/ipc/events.fifo',
      windowRetentionSeconds: 60,
      flushIntervalMs: 10,
      batchMaxKeys: 100,
      maxPendingKeys: 1000,
      ingestId: 'ingest-1',
      healthPort: 19464,
      healthHost: '127.0.0.1',
      transport: 'redis-stream',
      streamClaimIdleMs: 500,
      streamReadCount: 4,
      idLeaseMs: 2000,
    });
  });

  it.each([
    ['fifo', 'fifo'],
    ['redis-stream', 'redis-stream'],
  ])('reads TRANSPORT=%s', (value, expected) => {
    expect(loadConfig({ TRANSPORT: value }).transport).toBe(expected);
  });

  it.each([
    ['REDIS_URL', 'redis//x'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['KEY_PREFIX', ''],
    ['FIFO_PATH', ''],
    ['WINDOW_RETENTION_S', '0'],
    ['WINDOW_RETENTION_S', '-5'],
    ['WINDOW_RETENTION_S', 'abc'],
    ['FLUSH_INTERVAL_MS', '0'],
    ['BATCH_MAX_KEYS', '1.5'],
    ['MAX_PENDING_KEYS', '10'],
    ['INGEST_ID', ''],
    ['INGEST_ID', 'has space'],
    ['HEALTH_PORT', '0'],
    ['HEALTH_PORT', '65536'],
    ['HEALTH_PORT', '09464'],
    ['HEALTH_PORT', 'abc'],
    ['HEALTH_PORT', ''],
    ['HEALTH_HOST', ''],
    ['HEALTH_HOST', 'local host'],
    ['HEALTH_HOST', '127.0.0.1\n'],
    ['TRANSPORT', ''],
    ['TRANSPORT', 'FIFO'],
    ['TRANSPORT', 'redis'],
    ['TRANSPORT', 'redis-stream '],
    ['STREAM_CLAIM_IDLE_MS', '0'],
    ['STREAM_CLAIM_IDLE_MS', 'abc'],
    ['STREAM_READ_COUNT', '0'],
    ['STREAM_READ_COUNT', '1001'],
    ['ID_LEASE_MS', '999'],
    ['ID_LEASE_MS', '600001'],
    ['KEY_PREFIX', 'events:rank'],
  ])('rejects %s=%j naming the variable', (name, value) => {
    let caught: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SettingError);
    expect((caught as SettingError).variable).toBe(name);
  });
});

describe('the README documents every ingest setting', () => {
  it("reads no variable that the README's settings tables lack", () => {
    expect(
      undocumentedSettings(
        (env) => loadConfig(env),
        [{}, { TRANSPORT: 'redis-stream', INGEST_ID: 'a' }],
      ),
    ).toEqual([]);
  });
});
