import { redactUserInfo } from './redact';
import { SettingError } from './setting-error';

/** The process environment, or a plain record in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

const DECIMAL_INTEGER = /^(0|[1-9][0-9]*)$/;
const DECIMAL_NUMBER = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** `env[name]`, or `fallback` when the variable is unset (an empty value is kept: it is not unset). */
function raw(env: Env, name: string): string | undefined {
  return env[name];
}

/**
 * A string setting. Empty values are rejected unless `allowEmpty`.
 * @throws SettingError
 */
export function readString(
  env: Env,
  name: string,
  fallback: string,
  options: { allowEmpty?: boolean; expected?: string } = {},
): string {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (value === '' && !options.allowEmpty) {
    throw new SettingError(name, value, options.expected ?? 'expected a non-empty string');
  }
  return value;
}

/**
 * A non-negative decimal integer in `[min, max]` (no sign, no leading zero, no exponent).
 * @throws SettingError
 */
export function readInteger(
  env: Env,
  name: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const expected = `expected an integer from ${range.min} to ${range.max}`;
  if (!DECIMAL_INTEGER.test(value)) throw new SettingError(name, value, expected);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
    throw new SettingError(name, value, expected);
  }
  return n;
}

/**
 * A non-negative decimal number in `[min, max]` such as `0.05` (no sign, no exponent).
 * @throws SettingError
 */
export function readDecimal(
  env: Env,
  name: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const expected = `expected a decimal number from ${range.min} to ${range.max}`;
  if (!DECIMAL_NUMBER.test(value)) throw new SettingError(name, value, expected);
  const n = Number(value);
  if (!Number.isFinite(n) || n < range.min || n > range.max) {
    throw new SettingError(name, value, expected);
  }
  return n;
}

/** A TCP port, 1 to 65535. @throws SettingError */
export function readPort(env: Env, name: string, fallback: number): number {
  return readInteger(env, name, fallback, { min: 1, max: 65535 });
}

/**
 * A Redis URL: `redis://` or `rediss://`, with a host, an optional port 1-65535 and an optional
 * database number path. The error never shows the password: the value is echoed without its
 * user-info (redactUserInfo).
 * @throws SettingError
 */
export function readRedisUrl(env: Env, name: string, fallback: string): string {
  const expected = 'expected redis://[user:password@]host[:port][/db] or rediss://…';
  const value = raw(env, name) ?? fallback;
  const invalid = () => new SettingError(name, redactUserInfo(value), expected);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // URL's own message names neither the variable nor the allowed form; ours does.
    throw invalid();
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    throw invalid();
  }
  if (url.pathname !== '' && url.pathname !== '/' && !/^\/(0|[1-9][0-9]*)$/.test(url.pathname)) {
    throw invalid();
  }
  return value;
}

/**
 * The `KEY_PREFIX` every Redis key starts with: non-empty, with no whitespace or control
 * characters (keys stay easy to type in redis-cli and to match with SCAN), and no `:`. Every
 * key is `<prefix>:<…>`, so without a `:` in the prefix a key's prefix is exactly what comes
 * before its first `:`, and no two prefixes can ever write the same key (SPEC §3): with a
 * `:` allowed, `events` and `events:rank` would both write `events:rank:types`.
 * @throws SettingError
 */
export function readKeyPrefix(env: Env, name: string, fallback: string): string {
  const expected = 'expected a non-empty prefix without ":", spaces or control characters';
  const value = readString(env, name, fallback, { expected });
  if (/[:\s\p{Cc}]/u.test(value)) throw new SettingError(name, value, expected);
  return value;
}

/** An absolute or relative file-system path; empty is rejected. @throws SettingError */
export function readPath(env: Env, name: string, fallback: string): string {
  const expected = 'expected a file path';
  const value = readString(env, name, fallback, { expected });
  if (value.includes('\0')) throw new SettingError(name, value, expected);
  return value;
}

/**
 * An address to listen on (HOST, HEALTH_HOST): non-empty, no whitespace or control
 * characters. Whether it can actually be listened on is only known at `listen` time.
 * @throws SettingError
 */
export function readHost(env: Env, name: string, fallback: string): string {
  const expected = 'expected a host name or IP address to listen on, such as 0.0.0.0 or 127.0.0.1';
  const host = readString(env, name, fallback, { expected });
  if (/[\s\p{Cc}]/u.test(host)) throw new SettingError(name, host, expected);
  return host;
}

/** One of a fixed set of words, such as TRANSPORT=fifo|redis-stream. @throws SettingError */
export function readChoice<T extends string>(
  env: Env,
  name: string,
  fallback: T,
  choices: readonly T[],
): T {
  const value = env[name];
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new SettingError(name, value, `expected ${choices.join(' or ')}`);
}

/** WINDOW_RETENTION_S when unset: one hour. */
export const DEFAULT_WINDOW_RETENTION_S = 3600;

/** The longest WINDOW_RETENTION_S any app accepts: 366 days. */
export const MAX_WINDOW_RETENTION_S = 366 * 24 * 3600;

/**
 * WINDOW_RETENTION_S, shared by ingest and api (they must agree: the bucket ladder is derived
 * from it): an integer from 1 to 366 days.
 * @throws SettingError
 */
export function readWindowRetention(env: Env, fallback = DEFAULT_WINDOW_RETENTION_S): number {
  return readInteger(env, 'WINDOW_RETENTION_S', fallback, { min: 1, max: MAX_WINDOW_RETENTION_S });
}

/**
 * ID_LEASE_MS (ingest, producer): how long a process's hold on its INGEST_ID / PRODUCER_ID
 * lasts without a renewal, 1 s to 10 min. Renewed every third of it.
 * @throws SettingError
 */
export function readIdLease(env: Env, fallback: number): number {
  return readInteger(env, 'ID_LEASE_MS', fallback, { min: 1_000, max: 600_000 });
}
