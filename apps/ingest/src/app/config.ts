import {
  type Env,
  readFifoPath,
  readHost,
  readInteger,
  readPort,
  readRedisSettings,
  readTransport,
  readWindowRetention,
  readWriterId,
  readWriterLease,
  SettingError,
  SHARED_DEFAULTS,
  type Transport,
} from '@tally/settings';

/** Every ingest setting with its default (SPEC §5 plus the ingest's own tuning knobs). */
export const DEFAULTS = Object.freeze({
  REDIS_URL: SHARED_DEFAULTS.REDIS_URL,
  KEY_PREFIX: SHARED_DEFAULTS.KEY_PREFIX,
  FIFO_PATH: SHARED_DEFAULTS.FIFO_PATH,
  WINDOW_RETENTION_S: SHARED_DEFAULTS.WINDOW_RETENTION_S,
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
  TRANSPORT: SHARED_DEFAULTS.TRANSPORT,
  /** redis-stream: an entry pending this long on a consumer is taken over by another one. */
  STREAM_CLAIM_IDLE_MS: 30_000,
  /** redis-stream: entries read (and committed as one batch) at a time. */
  STREAM_READ_COUNT: 16,
  ID_LEASE_MS: SHARED_DEFAULTS.ID_LEASE_MS,
});

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
  const ingestId = readWriterId(env, 'INGEST_ID');
  return Object.freeze({
    ...readRedisSettings(env),
    fifoPath: readFifoPath(env),
    windowRetentionSeconds: readWindowRetention(env),
    flushIntervalMs: readInteger(env, 'FLUSH_INTERVAL_MS', DEFAULTS.FLUSH_INTERVAL_MS, {
      min: 1,
      max: 60_000,
    }),
    batchMaxKeys,
    maxPendingKeys,
    ingestId,
    healthPort: readPort(env, 'HEALTH_PORT', DEFAULTS.HEALTH_PORT),
    healthHost: readHost(env, 'HEALTH_HOST', DEFAULTS.HEALTH_HOST),
    transport: readTransport(env),
    streamClaimIdleMs: readInteger(env, 'STREAM_CLAIM_IDLE_MS', DEFAULTS.STREAM_CLAIM_IDLE_MS, {
      min: 1,
      max: 24 * 3600 * 1000,
    }),
    streamReadCount: readInteger(env, 'STREAM_READ_COUNT', DEFAULTS.STREAM_READ_COUNT, {
      min: 1,
      max: 1000,
    }),
    idLeaseMs: readWriterLease(env),
  });
}
