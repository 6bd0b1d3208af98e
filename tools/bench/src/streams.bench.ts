/**
 * End-to-end throughput of the two transports, in one run, over the same generated file:
 *  - fifo:              built producer (GENERATOR_CMD=cat file) -> FIFO -> 1 built ingest
 *  - redis-stream xN:   built producer (TRANSPORT=redis-stream, same command) -> the stream ->
 *                       N built ingest replicas in one consumer group, for N = 1, 2, 3
 * Each is timed from the producer's start until `<prefix>:stats` shows every line; then all
 * processes are stopped and the prefix deleted. Prints one line per variant: lines/s, and for
 * the stream the share of entries each replica acked. On 2 cores, producer + N ingests + Redis
 * compete for the CPU: expect no gain past what the cores allow.
 *
 *   npx nx run bench:streams                     (builds producer and ingest first)
 *   LINES=2000000 REPLICAS=1,2,3,4 npx nx run bench:streams
 *
 * Env: LINES (1,000,000), VOCABULARY (1,000), REPLICAS (1,2,3), REDIS_URL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { keyLayout, readStats } from '@tally/aggregation';
import { deleteKeysWithPrefix, freeLocalPort, uniqueTestPrefix } from '@tally/aggregation/testing';
import { Redis } from 'ioredis';

const LINES = Number(process.env['LINES'] ?? 1_000_000);
const VOCABULARY = Number(process.env['VOCABULARY'] ?? 1_000);
const REPLICAS = (process.env['REPLICAS'] ?? '1,2,3').split(',').map(Number);
const REDIS_URL = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';
const root = join(__dirname, '..', '..', '..');
// A directory of its own: other benchmarks clean tmp/bench.
const workDir = join(root, 'tmp', 'bench-streams');

function generateFile(): string {
  mkdirSync(workDir, { recursive: true });
  const path = join(workDir, `streams-${LINES}-${VOCABULARY}.ndjson`);
  const fd = openSync(path, 'w');
  let seed = 42;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const now = Math.floor(Date.now() / 1000);
  let chunk = '';
  for (let i = 0; i < LINES; i++) {
    const words = Array.from({ length: 1 + rand(4) }, () => `w${rand(VOCABULARY).toString(36)}`);
    const data = words.join(' ');
    chunk += `{ "event_type": "type${rand(10)}", "data": "${data}", "timestamp": ${now - rand(60)} }\n`;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
  return path;
}

function startApp(app: 'producer' | 'ingest', env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [join(root, 'dist', 'apps', app, 'main.js')], {
    env: { PATH: process.env['PATH'] ?? '', REDIS_URL, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function acked(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^ingest_stream_entries_acked_total (\S+)$/m.exec(text)?.[1] ?? 0);
}

/** One variant: `replicas` = 0 means the FIFO path. Returns lines/s and per-replica shares. */
async function runVariant(redis: Redis, file: string, replicas: number) {
  const prefix = uniqueTestPrefix('bench-streams');
  const keys = keyLayout(prefix);
  const fifo = join(workDir, `streams-${process.pid}.fifo`);
  const transport = replicas === 0 ? 'fifo' : 'redis-stream';
  const common = { KEY_PREFIX: prefix, FIFO_PATH: fifo, TRANSPORT: transport };
  const procs: ChildProcess[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < Math.max(1, replicas); i++) {
      const port = await freeLocalPort();
      ports.push(port);
      procs.push(
        startApp('ingest', { ...common, HEALTH_PORT: String(port), HEALTH_HOST: '127.0.0.1' }),
      );
    }
    for (const [i, port] of ports.entries()) {
      for (;;) {
        if (procs[i].exitCode !== null) throw new Error(`ingest exited ${procs[i].exitCode}`);
        const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const started = process.hrtime.bigint();
    const producer = startApp('producer', { ...common, GENERATOR_CMD: `exec cat '${file}'` });
    procs.push(producer);
    const giveUpAt = Date.now() + 600_000;
    for (;;) {
      const stats = await readStats(redis, keys);
      if (stats.events + stats.malformedLines >= LINES) break;
      if (Date.now() > giveUpAt) throw new Error(`stuck at ${JSON.stringify(stats)}`);
      if (producer.exitCode !== null && producer.exitCode !== 0) throw new Error('producer failed');
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const shares = replicas === 0 ? [] : await Promise.all(ports.map(acked));
    return { linesPerSecond: (LINES / ms) * 1000, ms, shares };
  } finally {
    for (const proc of procs) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await once(proc, 'exit');
      }
    }
    rmSync(fifo, { force: true });
    await deleteKeysWithPrefix(redis, prefix);
  }
}

async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const file = generateFile();
    console.log(
      `${LINES} lines, vocabulary ${VOCABULARY}, end to end (producer start -> all counted)`,
    );
    for (const replicas of [0, ...REPLICAS]) {
      const r = await runVariant(redis, file, replicas);
      const name =
        replicas === 0
          ? 'fifo, 1 ingest'
          : `redis-stream, ${replicas} replica${replicas > 1 ? 's' : ''}`;
      const total = r.shares.reduce((a, b) => a + b, 0);
      const split =
        total > 0
          ? `  entries acked per replica ${r.shares.map((n) => `${Math.round((n / total) * 100)}%`).join(' / ')}`
          : '';
      console.log(
        `  ${name.padEnd(26)} ${Math.round(r.linesPerSecond).toLocaleString('en').padStart(10)} lines/s  (${(r.ms / 1000).toFixed(2)} s)${split}`,
      );
    }
  } finally {
    await redis.quit();
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
