/**
 * Test helpers for suites that talk to a real Redis: `@tally/aggregation/testing`.
 * A separate entry point so production code cannot import prefixes-for-tests by accident.
 *
 * Isolation is by prefix, never by wiping: each test file works under its own
 * `test-<label>-<uuid>` KEY_PREFIX and deletes only its own keys afterwards, so test runs can
 * share a Redis with a running deployment (STYLE §2.6).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describeIf } from '@tally/testing';

export { type OwnRedisServer, freeLocalPort, startOwnRedisServer } from './testing/redis-server';

/** The Redis the tests use: `REDIS_URL`, or the SPEC default. */
export function testRedisUrl(): string {
  return process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';
}

/** A KEY_PREFIX no other test file or deployment uses. */
export function uniqueTestPrefix(label = 'run'): string {
  return `test-${label}-${randomUUID()}`;
}

/** A client for tests: fails fast instead of queueing when Redis is down. */
export function createTestRedis(url = testRedisUrl()): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false });
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** Every key under `<prefix>:`, a SCAN page at a time. */
async function* scanPrefix(redis: Redis, prefix: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(
      cursor,
      'MATCH',
      `${escapeGlob(prefix)}:*`,
      'COUNT',
      1000,
    );
    if (keys.length > 0) yield keys;
    cursor = next;
  } while (cursor !== '0');
}

/** Deletes every key under `<prefix>:` (SCAN + UNLINK); returns how many were deleted. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  for await (const keys of scanPrefix(redis, prefix)) deleted += await redis.unlink(...keys);
  return deleted;
}

/** Every key under `<prefix>:`, sorted. */
export async function keysWithPrefix(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const keys of scanPrefix(redis, prefix)) found.push(...keys);
  return found.sort();
}

/**
 * Whether Redis answers PING at `url`, checked synchronously (jest's `describe` is
 * synchronous) by a child node process (at most 20 s: see below).
 */
export function redisReachableSync(url = testRedisUrl()): boolean {
  const script = `
    const u = new URL(process.argv[1]);
    const s = require('net').connect(Number(u.port || 6379), u.hostname);
    s.setTimeout(10000, () => process.exit(2));
    s.on('connect', () => s.write('PING\\r\\n'));
    s.on('data', (d) => process.exit(/^(\\+PONG|-NOAUTH)/.test(d.toString()) ? 0 : 3));
    s.on('error', () => process.exit(1));`;
  // Generous bounds: a missing Redis refuses at once; only a loaded machine (a node that takes
  // seconds to start, as in a busy CI run) or a Redis that accepts and never answers waits.
  const result = spawnSync(process.execPath, ['-e', script, url], { timeout: 20_000 });
  return result.status === 0;
}

/** Whether the test Redis ({@link testRedisUrl}) answers PING: the probe for suites that need it. */
export function testRedisReachable(): boolean {
  return redisReachableSync(testRedisUrl());
}

/**
 * `describe` for suites that need Redis: {@link describeIf} with the Redis probe. Outside CI, a
 * missing Redis skips the suite with a clear message; in CI the suite fails loudly instead.
 */
export function describeWithRedis(name: string, body: () => void): void {
  const url = testRedisUrl();
  describeIf(
    name,
    () => redisReachableSync(url),
    `no Redis at ${url} (set REDIS_URL or start redis-server)`,
    body,
  );
}
