import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  DEFAULT_WINDOW_RETENTION_S,
  readChoice,
  readIdLease,
  readKeyPrefix,
  readPath,
  readRedisUrl,
  type Env,
} from './readers';
import { SettingError } from './setting-error';

/** The defaults every app that reads these settings shares (SPEC §5). */
export const SHARED_DEFAULTS = Object.freeze({
  REDIS_URL: 'redis://127.0.0.1:6379',
  KEY_PREFIX: 'events',
  FIFO_PATH: '/tmp/events.fifo',
  /** How far back `window` can reach; the ingest keeps windowed counts this long. */
  WINDOW_RETENTION_S: DEFAULT_WINDOW_RETENTION_S,
  /** Where the lines travel: the FIFO, or the Redis stream `<KEY_PREFIX>:stream`. */
  TRANSPORT: 'fifo' as Transport,
  /**
   * How long a process's hold on its INGEST_ID / PRODUCER_ID outlives its last renewal (every
   * third of it): a second process with the same id refuses to start while it is renewed, and
   * one restarted after a SIGKILL waits at most this long.
   */
  ID_LEASE_MS: 10_000,
});

/** Where a Redis-talking app finds its data. */
export interface RedisSettings {
  readonly redisUrl: string;
  readonly keyPrefix: string;
}

/**
 * REDIS_URL and KEY_PREFIX, with the shared defaults.
 * @throws SettingError
 */
export function readRedisSettings(env: Env): RedisSettings {
  return {
    redisUrl: readRedisUrl(env, 'REDIS_URL', SHARED_DEFAULTS.REDIS_URL),
    keyPrefix: readKeyPrefix(env, 'KEY_PREFIX', SHARED_DEFAULTS.KEY_PREFIX),
  };
}

/**
 * FIFO_PATH, with the shared default (producer and ingest must agree on it).
 * @throws SettingError
 */
export function readFifoPath(env: Env): string {
  return readPath(env, 'FIFO_PATH', SHARED_DEFAULTS.FIFO_PATH);
}

export const TRANSPORTS = ['fifo', 'redis-stream'] as const;
/** `fifo`: lines through FIFO_PATH; `redis-stream`: through `<KEY_PREFIX>:stream`. */
export type Transport = (typeof TRANSPORTS)[number];

/**
 * TRANSPORT, spelled the same for producer and ingest.
 * @throws SettingError
 */
export function readTransport(env: Env): Transport {
  return readChoice(env, 'TRANSPORT', SHARED_DEFAULTS.TRANSPORT, TRANSPORTS);
}

/** The variables that name a writer: its sequence and its lease in Redis hang on the id. */
export type WriterIdSetting = 'INGEST_ID' | 'PRODUCER_ID';

const WRITER_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * INGEST_ID / PRODUCER_ID: 1–64 characters of `A-Za-z0-9._-`, or undefined when unset (the
 * process then takes {@link defaultWriterId}). One live process per id: the lease sees to it.
 * @throws SettingError
 */
export function readWriterId(env: Env, name: WriterIdSetting): string | undefined {
  const id = env[name];
  if (id !== undefined && !WRITER_ID.test(id)) {
    throw new SettingError(name, id, 'expected 1-64 characters of A-Z a-z 0-9 . _ -');
  }
  return id;
}

/** A writer id unique to this start: `<host>-<pid>-<8 random hex>`. */
export function defaultWriterId(): string {
  return `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
}

/**
 * ID_LEASE_MS with the shared default.
 * @throws SettingError
 */
export function readWriterLease(env: Env): number {
  return readIdLease(env, SHARED_DEFAULTS.ID_LEASE_MS);
}
