/**
 * Window query latency: all time vs window = 60, 600, 3600 s, full answer and top 10, over a
 * vocabulary of VOCABULARY words and TYPES event types, EVENTS events spread over the last
 * hour. Talks to the Redis at REDIS_URL under a fresh prefix, deleted at the end.
 *
 *   npx nx run bench:windows
 *   EVENTS=300000 VOCABULARY=100000 TYPES=50 ITERATIONS=30 npx nx run bench:windows
 *
 * Loads like the ingest does: batches oldest first, and after each one the coarse buckets the
 * stream has moved past are rolled up (RollUpQueue, one call each). The first window query
 * then rolls up what is left (the buckets of the last seconds) and is timed on its own.
 * Prints one line per variant: p50 and p99 in ms, and the entries returned.
 */
import {
  BatchAggregator,
  commitBatch,
  type CountKind,
  type CountQuery,
  keyLayout,
  readCounts,
  RollUpQueue,
  rollUpBuckets,
} from '@tally/aggregation';
import { deleteKeysWithPrefix, uniqueTestPrefix } from '@tally/aggregation/testing';
import { Redis } from 'ioredis';
import { seededIntegers } from './support/random';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const EVENTS = env('EVENTS', 300_000);
const VOCABULARY = env('VOCABULARY', 100_000);
const TYPES = env('TYPES', 50);
const ITERATIONS = env('ITERATIONS', 30);
const RETENTION = 3600;

async function main(): Promise<void> {
  const redis = new Redis(process.env['REDIS_URL'] || 'redis://127.0.0.1:6379');
  const prefix = uniqueTestPrefix('bench-windows');
  const keys = keyLayout(prefix);
  const now = Math.floor(Date.now() / 1000);
  try {
    const rand = seededIntegers(7);
    const windows = { retentionSeconds: RETENTION };
    const queue = new RollUpQueue(windows);
    let rolledUp = 0;
    let rollUpMs = 0;
    const started = Date.now();
    let seq = 0;
    const perBatch = 20_000;
    for (let done = 0; done < EVENTS; done += perBatch) {
      const agg = new BatchAggregator();
      for (let i = done; i < Math.min(EVENTS, done + perBatch); i++) {
        // Oldest first, as a live stream would have written them.
        const t = now - RETENTION + 1 + Math.floor((i / EVENTS) * RETENTION);
        agg.addEvent(`type${rand(TYPES)}`, t);
        for (let w = 0; w < 3; w++) agg.addWord(`word${rand(VOCABULARY)}`);
      }
      const batch = agg.take();
      await commitBatch(redis, keys, batch, { ingestId: 'bench', seq: ++seq }, windows);
      queue.note(batch.seconds.map((s) => s.second));
      const t0 = Date.now();
      for (const bucket of queue.takeClosed(now)) {
        rolledUp += await rollUpBuckets(redis, keys, [bucket], windows, now);
      }
      rollUpMs += Date.now() - t0;
    }
    console.log(
      `loaded ${EVENTS} events (${TYPES} types, ${VOCABULARY}-word vocabulary) over ${RETENTION} s in ${Date.now() - started} ms, of which ${rollUpMs} ms rolling up ${rolledUp} buckets`,
    );
    const t0 = process.hrtime.bigint();
    await readCounts(
      redis,
      keys,
      'words',
      { span: 'window', seconds: RETENTION, nowSeconds: now },
      windows,
    );
    console.log(
      `first words window=${RETENTION} (rolls up the last buckets) ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms`,
    );

    const variants: [string, CountKind, CountQuery][] = [];
    for (const kind of ['words', 'types'] as const) {
      variants.push([`${kind} all time`, kind, { span: 'all' }]);
      variants.push([`${kind} all time top=10`, kind, { span: 'all', top: 10 }]);
      for (const window of [60, 600, 3600]) {
        variants.push([
          `${kind} window=${window}`,
          kind,
          { span: 'window', seconds: window, nowSeconds: now },
        ]);
        variants.push([
          `${kind} window=${window} top=10`,
          kind,
          { span: 'window', seconds: window, nowSeconds: now, top: 10 },
        ]);
      }
    }
    for (const [name, kind, query] of variants) {
      const times: number[] = [];
      let entries = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        const t0 = process.hrtime.bigint();
        entries = (await readCounts(redis, keys, kind, query, windows)).length;
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      times.sort((a, b) => a - b);
      const p = (q: number) =>
        times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2);
      console.log(
        `${name.padEnd(28)} p50 ${p(0.5).padStart(8)} ms  p99 ${p(0.99).padStart(8)} ms  entries ${entries}`,
      );
    }
  } finally {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
