/**
 * HTTP load on the real api: `node dist/apps/api/main.js` on a free loopback port, over a fresh
 * prefix in the Redis at REDIS_URL loaded through the real write path (BatchAggregator +
 * commitBatch) with VOCABULARY words and TYPES event types, EVENTS events spread over the last
 * hour and the next few minutes (so `window=60` has data for the whole run). autocannon sends
 * CONNECTIONS concurrent keep-alive connections for DURATION_S seconds per variant, after a
 * WARMUP_S warm-up; ROUNDS repeats the variants (interleaved, so noise hits all of them).
 * The api and the prefix are removed at the end, also after a failure.
 *
 *   npx nx run bench:api-load                      # builds the api first (dependsOn)
 *   VOCABULARY=100000 DURATION_S=10 CONNECTIONS=32 ROUNDS=3 npx nx run bench:api-load
 *   READ_CACHE_MS=0 npx nx run bench:api-load      # single-flight only, no micro-cache
 *   API_MAIN=/tmp/base/dist/apps/api/main.js npx nx run bench:api-load   # another build
 *
 * Prints one line per variant and round: requests per second, latency p50/p99/max, body size,
 * connection errors and non-2xx answers; with ROUNDS > 1 also the median (min–max) of each.
 * Client and server share this machine's cores, so the numbers are a lower bound for the api.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { BatchAggregator, commitBatch, keyLayout } from '@tally/aggregation';
import { deleteKeysWithPrefix, freeLocalPort, uniqueTestPrefix } from '@tally/aggregation/testing';
import { Redis } from 'ioredis';
import { seededIntegers } from './support/random';

/** The part of autocannon's programmatic API used here (the package ships no types). */
interface Histogram {
  readonly average: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}
interface AutocannonResult {
  readonly requests: Histogram & { readonly total: number };
  readonly latency: Histogram;
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
}) => Promise<AutocannonResult>;
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`bad ${name}: expected an integer`);
  return value;
};
const VOCABULARY = env('VOCABULARY', 100_000);
const TYPES = env('TYPES', 50);
const EVENTS = env('EVENTS', 300_000);
const DURATION_S = env('DURATION_S', 10);
const WARMUP_S = env('WARMUP_S', 2);
const CONNECTIONS = env('CONNECTIONS', 32);
const ROUNDS = env('ROUNDS', 1);
const RETENTION = 3600;
/** Events are also spread this far into the future (the ingest accepts up to 300 s ahead). */
const AHEAD_S = 240;
/** The built api to start; another build can be compared by pointing here. */
const API_MAIN = resolve(process.env['API_MAIN'] || 'dist/apps/api/main.js');

const VARIANTS = [
  '/events/countByEventType',
  '/events/countWords?top=10',
  '/events/countWords',
  '/events/countWords?window=60&top=10',
];

/** Writes EVENTS events, 3 words each; the first VOCABULARY/3 events name every word once. */
async function load(redis: Redis, prefix: string): Promise<void> {
  const keys = keyLayout(prefix);
  const now = Math.floor(Date.now() / 1000);
  const span = RETENTION + AHEAD_S;
  const rand = seededIntegers(11);
  const started = Date.now();
  const perBatch = 20_000;
  let seq = 0;
  for (let done = 0; done < EVENTS; done += perBatch) {
    const agg = new BatchAggregator();
    for (let i = done; i < Math.min(EVENTS, done + perBatch); i++) {
      agg.addEvent(`type${rand(TYPES)}`, now - RETENTION + 1 + Math.floor((i / EVENTS) * span));
      for (let w = 0; w < 3; w++) {
        const n = 3 * i + w;
        agg.addWord(`word${n < VOCABULARY ? n : rand(VOCABULARY)}`);
      }
    }
    await commitBatch(
      redis,
      keys,
      agg.take(),
      { ingestId: 'bench-api-load', seq: ++seq },
      { retentionSeconds: RETENTION },
    );
  }
  console.log(
    `loaded ${EVENTS} events (${TYPES} types, ${VOCABULARY}-word vocabulary) in ${Date.now() - started} ms`,
  );
}

/** Starts the built api and resolves once /health answers 200 (within 15 s). */
async function startApi(port: number, prefix: string): Promise<ChildProcess> {
  if (!existsSync(API_MAIN)) throw new Error(`${API_MAIN} is missing: run npx nx build api`);
  const child = spawn(process.execPath, [API_MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      KEY_PREFIX: prefix,
      WINDOW_RETENTION_S: String(RETENTION),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`api exited with ${child.exitCode}`);
    try {
      const answer = await fetch(`http://127.0.0.1:${port}/health`);
      await answer.text();
      if (answer.status === 200) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('api did not become healthy within 15 s');
}

/** SIGTERM by PID, then SIGKILL if it has not exited after 5 s. */
async function stopApi(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(9);
const median = (values: number[]) => {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function main(): Promise<void> {
  const redis = new Redis(process.env['REDIS_URL'] || 'redis://127.0.0.1:6379');
  const prefix = uniqueTestPrefix('bench-api-load');
  let api: ChildProcess | undefined;
  // Bounded: every phase has a limit, and this is the last resort.
  const budgetS = 300 + ROUNDS * VARIANTS.length * (DURATION_S + WARMUP_S + 15);
  const watchdog = setTimeout(() => {
    console.error(`api-load: still running after ${budgetS} s; stopping`);
    api?.kill('SIGKILL');
    process.exit(1);
  }, budgetS * 1000);
  try {
    await load(redis, prefix);
    const port = await freeLocalPort();
    api = await startApi(port, prefix);
    const base = `http://127.0.0.1:${port}`;
    console.log(
      `api pid ${api.pid} on ${base}, READ_CACHE_MS=${process.env['READ_CACHE_MS'] ?? '(default)'}; ` +
        `${CONNECTIONS} connections, ${DURATION_S} s per variant after ${WARMUP_S} s warm-up, ${ROUNDS} round(s)`,
    );
    const sizes = new Map<string, string>();
    for (const path of VARIANTS) {
      const answer = await fetch(base + path);
      const text = await answer.text();
      if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${text}`);
      const entries = Object.keys(JSON.parse(text) as object).length;
      sizes.set(path, `${entries} entries ${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB`);
    }

    const results = new Map<string, AutocannonResult[]>(VARIANTS.map((v) => [v, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const path of VARIANTS) {
        const url = base + path;
        if (WARMUP_S > 0) {
          await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_S, timeout: 10 });
        }
        const r = await autocannon({
          url,
          connections: CONNECTIONS,
          duration: DURATION_S,
          timeout: 10,
        });
        results.get(path)?.push(r);
        console.log(
          `${`#${round} GET ${path}`.padEnd(46)} ${r.requests.average.toFixed(0).padStart(6)} req/s` +
            `  p50 ${ms(r.latency.p50)}  p99 ${ms(r.latency.p99)}  max ${ms(r.latency.max)}` +
            `  errors ${r.errors} non2xx ${r.non2xx}  (${sizes.get(path)})`,
        );
      }
    }
    if (ROUNDS > 1) {
      for (const path of VARIANTS) {
        const runs = results.get(path) ?? [];
        const spread = (pick: (r: AutocannonResult) => number, digits: number) => {
          const values = runs.map(pick);
          const f = (v: number) => v.toFixed(digits);
          return `${f(median(values))} (${f(Math.min(...values))}–${f(Math.max(...values))})`;
        };
        console.log(
          `${`median GET ${path}`.padEnd(46)} req/s ${spread((r) => r.requests.average, 0)}` +
            `  p50 ${spread((r) => r.latency.p50, 1)} ms  p99 ${spread((r) => r.latency.p99, 1)} ms` +
            `  errors ${runs.reduce((n, r) => n + r.errors + r.non2xx, 0)}`,
        );
      }
    }
  } finally {
    if (api) await stopApi(api);
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
    clearTimeout(watchdog);
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
