import {
  type Env,
  readHost,
  readInteger,
  readPort,
  readRedisSettings,
  readWindowRetention,
  SHARED_DEFAULTS,
} from '@tally/settings';

/** Every api setting with its default (SPEC §5). */
export const DEFAULTS = Object.freeze({
  REDIS_URL: SHARED_DEFAULTS.REDIS_URL,
  KEY_PREFIX: SHARED_DEFAULTS.KEY_PREFIX,
  PORT: 5000,
  /** The address to listen on: all IPv4 interfaces. */
  HOST: '0.0.0.0',
  WINDOW_RETENTION_S: SHARED_DEFAULTS.WINDOW_RETENTION_S,
  /**
   * How long an answer body is reused for identical requests, in ms (0: identical requests in
   * flight still share one read, nothing is kept after). Answers may be this much older than
   * the request.
   */
  READ_CACHE_MS: 100,
  /**
   * Dashboard streams (`/events/live`) open at once; one more gets a 503. Each costs a
   * connection and up to LIVE_MAX_QUEUED_BYTES (plus one tick) of memory for a slow reader.
   */
  LIVE_MAX_CLIENTS: 1000,
});

/** Past a second, a "micro-cache" becomes a staleness users would notice. */
const MAX_READ_CACHE_MS = 1000;
/**
 * 10,000 readers that never read could hold 10,000 × (LIVE_MAX_QUEUED_BYTES + one tick) in the
 * api, 2.5 GB and more (dashboard/live-limits.ts): past that, run more api replicas.
 */
const MAX_LIVE_CLIENTS = 10_000;

export interface ApiConfig {
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly port: number;
  readonly host: string;
  readonly windowRetentionSeconds: number;
  readonly readCacheMs: number;
  readonly liveMaxClients: number;
}

/**
 * Reads and validates the api's settings from `env`. Pure: no socket is opened.
 * Whether HOST can actually be listened on is only known at `listen` time.
 * @throws SettingError on the first invalid setting
 */
export function loadConfig(env: Env): ApiConfig {
  return Object.freeze({
    ...readRedisSettings(env),
    port: readPort(env, 'PORT', DEFAULTS.PORT),
    host: readHost(env, 'HOST', DEFAULTS.HOST),
    windowRetentionSeconds: readWindowRetention(env),
    readCacheMs: readInteger(env, 'READ_CACHE_MS', DEFAULTS.READ_CACHE_MS, {
      min: 0,
      max: MAX_READ_CACHE_MS,
    }),
    liveMaxClients: readInteger(env, 'LIVE_MAX_CLIENTS', DEFAULTS.LIVE_MAX_CLIENTS, {
      min: 1,
      max: MAX_LIVE_CLIENTS,
    }),
  });
}
