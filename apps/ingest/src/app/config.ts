import {
  type Env,
  readInteger,
  readKeyPrefix,
  readPath,
  readPort,
  readRedisUrl,
  readString,
  SettingError,
  readHost,
  readWindowRetention,
  readChoice,
  readIdLease,
} from '@tally/settings';

/** Every ingest setting with its default (SPEC §5 plus the ingest's own tuning knobs). */
export const DEFAULTS = Object.freeze({
  REDIS_URL: 'redis://127.0.0.1:6379',
  KEY_PREFIX: 'events',
  FIFO_PATH: '/tmp/events.fifo',
  WINDOW_RETENTION_S: 3600,
  /** A count is in Redis at most this long after its line was read (when Redis is up). */
  FLUSH_INTERVAL_MS: 100,
  /** Distinct keys that make a batch big enough to write before the interval is up. */
  BATCH_MAX_KEYS: 20_000,
  /**
   * Distinct keys held in memory (pending + in flight) before reading the FIFO stops: about
   * 0.2–0.3 KB each, so the ingest stays under 200 MB RSS with a 100,000-word vocabulary.
   */
  MAX_PENDING_KEYS: 150_000,
  /** Port of the ingest's own HTTP server: `GET /health` and `GET /metrics`. */
  HEALTH_PORT: 9464,
  /** The address that server listens on: all IPv4 interfaces, like the api's HOST. */
  HEALTH_HOST: '0.0.0.0',
  /** Where the lines come from: the FIFO, or the Redis stream `<KEY_PREFIX>:stream`. */
  TRANSPORT: 'fifo' as Transport,
  /** redis-stream: an entry pending this long on a consumer is taken over by another one. */
  STREAM_CLAIM_IDLE_MS: 30_000,
  /** redis-stream: entries read (and committed as one batch) at a time. */
  STREAM_READ_COUNT: 16,
  /**
   * How long this ingest's hold on its INGEST_ID outlives its last renewal (every third of it):
   * a second ingest with the same id refuses to start while it is renewed, and one restarted
   * after a SIGKILL waits at most this long.
   */
  ID_LEASE_MS: 10_000,
});

export const TRANSPORTS = ['fifo', 'redis-stream'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** TRANSPORT: `fifo` or `redis-stream` (the same spelling as the producer's loadConfig). */
export function readTransport(env: Env, fallback: Transport): Transport {
  return readChoice(env, 'TRANSPORT', fallback, TRANSPORTS);
}

export interface IngestConfig {
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly fifoPath: string;
  readonly windowRetentionSeconds: number;
  readonly flushIntervalMs: number;
  readonly batchMaxKeys: number;
  readonly maxPendingKeys: number;
  /** Identifies this process's batches in Redis; unset means a fresh random id per start. */
  readonly ingestId: string | undefined;
  readonly healthPort: number;
  readonly healthHost: string;
  readonly transport: Transport;
  readonly streamClaimIdleMs: number;
  readonly streamReadCount: number;
  readonly idLeaseMs: number;
}

/**
 * Reads and validates the ingest's settings from `env`. Pure: no socket or file is touched.
 * @throws SettingError on the first invalid setting
 */
export function loadConfig(env: Env): IngestConfig {
  const batchMaxKeys = readInteger(env, 'BATCH_MAX_KEYS', DEFAULTS.BATCH_MAX_KEYS, {
    min: 1,
    max: 1_000_000,
  });
  const maxPendingKeys = readInteger(env, 'MAX_PENDING_KEYS', DEFAULTS.MAX_PENDING_KEYS, {
    min: 1,
    max: 100_000_000,
  });
  if (maxPendingKeys < batchMaxKeys) {
    throw new SettingError(
      'MAX_PENDING_KEYS',
      String(maxPendingKeys),
      `expected at least BATCH_MAX_KEYS (${batchMaxKeys})`,
    );
  }
  const ingestId = env['INGEST_ID'];
  if (ingestId !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(ingestId)) {
    throw new SettingError('INGEST_ID', ingestId, 'expected 1-64 characters of A-Z a-z 0-9 . _ -');
  }
  return Object.freeze({
    redisUrl: readRedisUrl(env, 'REDIS_URL', DEFAULTS.REDIS_URL),
    keyPrefix: readKeyPrefix(env, 'KEY_PREFIX', DEFAULTS.KEY_PREFIX),
    fifoPath: readPath(env, 'FIFO_PATH', DEFAULTS.FIFO_PATH),
    windowRetentionSeconds: readWindowRetention(env, DEFAULTS.WINDOW_RETENTION_S),
    flushIntervalMs: readInteger(env, 'FLUSH_INTERVAL_MS', DEFAULTS.FLUSH_INTERVAL_MS, {
      min: 1,
      max: 60_000,
    }),
    batchMaxKeys,
    maxPendingKeys,
    ingestId: ingestId === undefined ? undefined : readString(env, 'INGEST_ID', ''),
    healthPort: readPort(env, 'HEALTH_PORT', DEFAULTS.HEALTH_PORT),
    healthHost: readHost(env, 'HEALTH_HOST', DEFAULTS.HEALTH_HOST),
    transport: readTransport(env, DEFAULTS.TRANSPORT),
    streamClaimIdleMs: readInteger(env, 'STREAM_CLAIM_IDLE_MS', DEFAULTS.STREAM_CLAIM_IDLE_MS, {
      min: 1,
      max: 24 * 3600 * 1000,
    }),
    streamReadCount: readInteger(env, 'STREAM_READ_COUNT', DEFAULTS.STREAM_READ_COUNT, {
      min: 1,
      max: 1000,
    }),
    idLeaseMs: readIdLease(env, DEFAULTS.ID_LEASE_MS),
  });
}
