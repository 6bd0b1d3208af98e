/**
 * HTTP load on the real api: `node dist/apps/api/main.js` on a free loopback port, over a fresh
 * prefix in the Redis at REDIS_URL loaded through the real write path (BatchAggregator +
 * commitBatch) with VOCABULARY words and TYPES event types, EVENTS events spread over the last
 * hour and the next few minutes (so `window=60` has data for the whole run). autocannon sends
 * CONNECTIONS concurrent keep-alive connections for DURATION_S seconds per variant, after a
 * WARMUP_S warm-up; ROUNDS repeats the variants (interleaved, so noise hits all of them).
 * The full word list is asked twice, plain and with `Accept-Encoding: gzip`, and each is
 * followed by a bare `node:http` server (a process of its own) sending the very bytes the api
 * sent (support/bare-server.ts; BARE=0 leaves it out), with the ratio api / bare.
 * The api and the prefix are removed at the end, also after a failure.
 *
 *   npx nx run bench:api-load                      # builds the api first (dependsOn)
 *   VOCABULARY=100000 DURATION_S=10 CONNECTIONS=32 ROUNDS=3 npx nx run bench:api-load
 *   READ_CACHE_MS=0 npx nx run bench:api-load      # no micro-cache: every answer revalidated
 *   API_MAIN=/tmp/base/dist/apps/api/main.js npx nx run bench:api-load   # another build
 *   VOCABULARY=1000000 EVENTS=400000 PATHS=/events/countWords BARE=0 npx nx run bench:api-load
 *
 * Prints, per variant, the first answer (status and time: a cold read) and one line per
 * round: requests per second, latency p50/p99/max, connection errors and non-2xx answers, and
 * the bytes sent per answer; with ROUNDS > 1 also the median (min–max) of each; at the end the
 * api's peak RSS (VmHWM). Client and server share this machine's cores, so the numbers are a
 * lower bound for the api.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { BatchAggregator, commitBatch, keyLayout } from '@tally/aggregation';
import { deleteKeysWithPrefix, freeLocalPort, uniqueTestPrefix } from '@tally/aggregation/testing';
import { Redis } from 'ioredis';
import { type BareServer, startBareServer } from './support/bare-server';
import { type RawAnswer, rawGet, rssOf, sizeOf } from './support/raw-answer';
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
  headers?: Readonly<Record<string, string>>;
}) => Promise<AutocannonResult>;
const requireHere = createRequire(__filename);
const autocannon = requireHere('autocannon') as Autocannon;
/**
 * autocannon 8 appends every body chunk of every answer to a string
 * (`lib/pipelinedRequestsQueue.js` `addBody`, `req.body += data`), for body checks this
 * benchmark does not use. Decoding compressed bytes as UTF-8 that way made the client the
 * bottleneck: against one bare server sending 264 KB of gzip, 309 req/s with it, 2,521
 * without (1.5 MB of JSON: 172 vs 701). So the client keeps no bodies; it still counts bytes.
 */
(
  requireHere('autocannon/lib/pipelinedRequestsQueue') as { prototype: { addBody: () => void } }
).prototype.addBody = () => undefined;

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

const FULL_WORDS = '/events/countWords';
const PATHS = (
  process.env['PATHS'] ||
  [
    '/events/countByEventType',
    '/events/countWords?top=10',
    FULL_WORDS,
    '/events/countWords?window=60&top=10',
    '/events/countWords?window=3600',
  ].join(',')
).split(',');
const BARE = process.env['BARE'] !== '0';
const GZIP = { 'accept-encoding': 'gzip' };

interface Variant {
  /** What the result lines say: `GET <path>`, `(gzip)` when compressed answers are accepted. */
  readonly label: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** For a bare server: the api variant whose bytes it sends. */
  readonly bareOf?: Variant;
  /** Set once started: where a bare variant is served. */
  bare?: BareServer;
}

/** Every path plain; the full word list also gzip-accepted; each full list with its bare server. */
function variants(): Variant[] {
  const list: Variant[] = [];
  const add = (path: string, headers: Readonly<Record<string, string>>, suffix: string) => {
    const variant: Variant = { label: `GET ${path}${suffix}`, path, headers };
    list.push(variant);
    if (BARE && path === FULL_WORDS) {
      list.push({ label: `bare node:http, same bytes${suffix}`, path, headers, bareOf: variant });
    }
  };
  for (const path of PATHS) {
    add(path, {}, '');
    if (path === FULL_WORDS) add(path, GZIP, ' (gzip)');
  }
  return list;
}

/** The first answer of `variant` (a cold read), then, if it was not a 200, the first 200. */
async function firstAnswer(base: string, variant: Variant): Promise<RawAnswer> {
  const first = await rawGet(base + variant.path, variant.headers);
  console.log(
    `${`first ${variant.label}`.padEnd(52)} ${first.status} in ${first.elapsedMs.toFixed(0)} ms` +
      (first.status === 200 ? '' : `: ${first.body.toString().slice(0, 120)}`),
  );
  if (first.status === 200) return first;
  const started = performance.now();
  const deadline = started + 120_000;
  while (performance.now() < deadline) {
    const answer = await rawGet(base + variant.path, variant.headers);
    if (answer.status === 200) {
      console.log(
        `${`first 200 ${variant.label}`.padEnd(52)} after ${((performance.now() - started) / 1000).toFixed(1)} s more`,
      );
      return answer;
    }
  }
  throw new Error(`${variant.label}: no 200 within 120 s`);
}

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
  const list = variants();
  let api: ChildProcess | undefined;
  // Bounded: every phase has a limit, and this is the last resort.
  const budgetS = 600 + ROUNDS * list.length * (DURATION_S + WARMUP_S + 15);
  const watchdog = setTimeout(() => {
    console.error(`api-load: still running after ${budgetS} s; stopping`);
    api?.kill('SIGKILL');
    for (const v of list) void v.bare?.stop();
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
    const sizes = new Map<Variant, string>();
    const firsts = new Map<Variant, RawAnswer>();
    for (const variant of list) {
      const of = variant.bareOf;
      const answer = of === undefined ? await firstAnswer(base, variant) : firsts.get(of);
      if (answer === undefined) throw new Error(`${variant.label}: nothing to send`);
      firsts.set(variant, answer);
      sizes.set(variant, sizeOf(answer));
      if (of !== undefined) {
        // The very bytes and headers the api sent, from a server that does nothing else.
        variant.bare = await startBareServer(await freeLocalPort(), answer.body, answer.headers);
      }
    }

    const results = new Map<Variant, AutocannonResult[]>(list.map((v) => [v, []]));
    const reqPerS = (v: Variant, round: number) => results.get(v)?.[round]?.requests.average ?? 0;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const variant of list) {
        const url = variant.bare?.url ?? base + variant.path;
        const options = { url, connections: CONNECTIONS, timeout: 10, headers: variant.headers };
        if (WARMUP_S > 0) await autocannon({ ...options, duration: WARMUP_S });
        const r = await autocannon({ ...options, duration: DURATION_S });
        results.get(variant)?.push(r);
        console.log(
          `${`#${round} ${variant.label}`.padEnd(52)} ${r.requests.average.toFixed(0).padStart(6)} req/s` +
            `  p50 ${ms(r.latency.p50)}  p99 ${ms(r.latency.p99)}  max ${ms(r.latency.max)}` +
            `  errors ${r.errors} non2xx ${r.non2xx}  (${sizes.get(variant)})`,
        );
        if (variant.bareOf !== undefined) {
          const ratio = reqPerS(variant.bareOf, round - 1) / r.requests.average;
          console.log(
            `${`#${round} ratio ${variant.bareOf.label} / bare`.padEnd(52)} ${ratio.toFixed(2)}`,
          );
        }
      }
    }
    if (ROUNDS > 1) {
      for (const variant of list) {
        const runs = results.get(variant) ?? [];
        const spread = (values: number[], digits: number) => {
          const f = (v: number) => v.toFixed(digits);
          return `${f(median(values))} (${f(Math.min(...values))}–${f(Math.max(...values))})`;
        };
        const of = (pick: (r: AutocannonResult) => number) => runs.map(pick);
        console.log(
          `${`median ${variant.label}`.padEnd(52)} req/s ${spread(
            of((r) => r.requests.average),
            0,
          )}` +
            `  p50 ${spread(
              of((r) => r.latency.p50),
              1,
            )} ms  p99 ${spread(
              of((r) => r.latency.p99),
              1,
            )} ms` +
            `  errors ${runs.reduce((n, r) => n + r.errors + r.non2xx, 0)}`,
        );
        const apiVariant = variant.bareOf;
        if (apiVariant !== undefined) {
          const ratios = runs.map((_, i) => reqPerS(apiVariant, i) / reqPerS(variant, i));
          console.log(
            `${`median ratio ${apiVariant.label} / bare`.padEnd(52)} ${spread(ratios, 2)}`,
          );
        }
      }
    }
    if (api.pid !== undefined) {
      const rss = rssOf(api.pid);
      console.log(`api peak RSS (VmHWM) ${rss.peak.toFixed(0)} MiB, now ${rss.now.toFixed(0)} MiB`);
    }
  } finally {
    if (api) await stopApi(api);
    for (const variant of list) await variant.bare?.stop();
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
    clearTimeout(watchdog);
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
