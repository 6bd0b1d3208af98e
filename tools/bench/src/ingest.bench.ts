/**
 * Ingest throughput: in one run, over the same generated blackbox-format file,
 *  (a) a bare loop that splits the file into lines and calls JSON.parse on each, and
 *  (b) the real ingest (dist/apps/ingest/main.js) reading the file through a FIFO fed by
 *      `cat`, into the Redis at REDIS_URL, timed until /events/stats' counters (read from
 *      Redis) show every line.
 * Prints lines/s for both and their ratio, the ingest's peak RSS (VmHWM) and CPU time while
 * timed (steadier than lines/s on a busy machine), Redis round trips and commands per 1,000
 * events, and the CPU time redis-server spent during the run (INFO cpu: the whole server's, so
 * only this run's on a Redis of its own). On a shared, busy machine the lines/s of the same
 * code swing by up to 3x between runs, the CPU times by much less.
 *
 *   npx nx run bench:ingest                       (builds the ingest first)
 *   LINES=10000000 VOCABULARY=100000 npx nx run bench:ingest
 *
 * Env: LINES (2,000,000), VOCABULARY (1,000 words), TYPES (10), CORRUPT (0.01), RUNS (1),
 * BARE_LOOPS (3: each run's baseline is the best of this many bare loops),
 * WINDOWED (1: recent timestamps, so windowed buckets are written too; 0: old timestamps,
 * totals only), SPREAD_S (60: with WINDOWED=1 the timestamps rise evenly over the last SPREAD_S
 * seconds; 3600 spreads them over the hour of the default retention). BATCH_MAX_KEYS,
 * MAX_PENDING_KEYS, FLUSH_INTERVAL_MS and WINDOW_RETENTION_S, when set, are passed to the
 * ingest. INGEST_MAIN (dist/apps/ingest/main.js of this checkout) runs another build, e.g. the
 * starting commit's from a second worktree, on the same file; NODE_ARGS (none) are node's
 * arguments for it, e.g. `--cpu-prof --cpu-prof-dir=tmp/prof` (split at spaces).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { keyLayout, readStats } from '@tally/aggregation';
import { deleteKeysWithPrefix, uniqueTestPrefix } from '@tally/aggregation/testing';
import { Redis } from 'ioredis';
import { seededIntegers } from './support/random';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const LINES = env('LINES', 2_000_000);
const VOCABULARY = env('VOCABULARY', 1_000);
const TYPES = env('TYPES', 10);
const CORRUPT = env('CORRUPT', 0.01);
const RUNS = env('RUNS', 1);
const BARE_LOOPS = env('BARE_LOOPS', 3);
const WINDOWED = env('WINDOWED', 1) === 1;
const SPREAD_S = env('SPREAD_S', 60);
const root = join(__dirname, '..', '..', '..');
const workDir = join(root, 'tmp', 'bench');
const INGEST_MAIN = process.env['INGEST_MAIN'] || join(root, 'dist', 'apps', 'ingest', 'main.js');
const NODE_ARGS = (process.env['NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== '');

/** Generates (once per parameter set) the blackbox-format file and returns its path. */
function generateFile(nowSeconds: number): string {
  mkdirSync(workDir, { recursive: true });
  const name = `events-${LINES}-${VOCABULARY}-${TYPES}-${CORRUPT}-${WINDOWED ? `recent${SPREAD_S}` : 'old'}.ndjson`;
  const path = join(workDir, name);
  // Recent timestamps must be recent *now*, so that file is made fresh each time.
  if (existsSync(path) && !WINDOWED) return path;
  const rand = seededIntegers(42);
  const lorem = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit'];
  const word = (i: number) => (i < lorem.length ? lorem[i] : `w${i.toString(36)}`);
  const fd = openSync(`${path}.partial`, 'w');
  let chunk = '';
  for (let i = 0; i < LINES; i++) {
    if (rand(1_000_000) < CORRUPT * 1_000_000) {
      chunk += `{ "Cu*S${rand(1000)}\n`;
    } else {
      const words = 1 + rand(4);
      let data = word(rand(VOCABULARY));
      for (let w = 1; w < words; w++) data += ` ${word(rand(VOCABULARY))}`;
      const t = WINDOWED
        ? nowSeconds - SPREAD_S + Math.floor((i * SPREAD_S) / LINES)
        : 1564039783 + (i % 1000);
      chunk += `{ "event_type": "type${rand(TYPES)}", "data": "${data}", "timestamp": ${t} }\n`;
    }
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
  renameSync(`${path}.partial`, path);
  return path;
}

/** (a) The bare loop: split on \n, JSON.parse each line. */
function bareLoop(path: string): { lines: number; ms: number } {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(1 << 20);
  let carry = '';
  let lines = 0;
  let parsed = 0;
  const started = process.hrtime.bigint();
  for (;;) {
    const n = readSync(fd, buffer, 0, buffer.length, null);
    if (n === 0) break;
    const text = carry + buffer.toString('utf8', 0, n);
    let from = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
      lines++;
      try {
        if (JSON.parse(text.slice(from, nl))) parsed++;
      } catch {
        // a corrupt line: the bare loop only skips it
      }
      from = nl + 1;
    }
    carry = text.slice(from);
  }
  closeSync(fd);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (parsed === 0) throw new Error('bare loop parsed nothing');
  return { lines, ms };
}

/** CPU time (user + system, all threads) the process has used so far, from /proc. */
function cpuSeconds(pid: number | undefined): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which is in parentheses): utime and stime are 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

async function commandStats(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const stats = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) stats.set(m[1], Number(m[2]));
  return stats;
}

/** redis-server's CPU time so far (user + system), in seconds. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) =>
    Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** (b) The real ingest, fed by `cat file > fifo`, timed until every line is counted. */
async function realIngest(path: string, redis: Redis) {
  const prefix = uniqueTestPrefix('bench-ingest');
  const keys = keyLayout(prefix);
  const fifo = join(workDir, `bench-${process.pid}.fifo`);
  rmSync(fifo, { force: true });
  const ingest = spawn(process.execPath, [...NODE_ARGS, INGEST_MAIN], {
    env: {
      PATH: process.env['PATH'] ?? '',
      REDIS_URL: process.env['REDIS_URL'] || 'redis://127.0.0.1:6379',
      KEY_PREFIX: prefix,
      FIFO_PATH: fifo,
      HEALTH_HOST: '127.0.0.1',
      HEALTH_PORT: String(20000 + (process.pid % 20000)),
      // The ingest's tuning knobs pass through, to compare settings on the same file.
      ...Object.fromEntries(
        ['BATCH_MAX_KEYS', 'MAX_PENDING_KEYS', 'FLUSH_INTERVAL_MS', 'WINDOW_RETENTION_S']
          .filter((name) => process.env[name] !== undefined)
          .map((name) => [name, process.env[name] as string]),
      ),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  ingest.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const deadline = Date.now() + 10_000;
    while (!out.includes('"event":"started"') || !existsSync(fifo)) {
      if (Date.now() > deadline || ingest.exitCode !== null)
        throw new Error(`ingest did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const before = await commandStats(redis);
    const redisCpuBefore = await redisCpuSeconds(redis);
    const cpuBefore = cpuSeconds(ingest.pid);
    const started = process.hrtime.bigint();
    const cat = spawn('sh', ['-c', 'cat "$0" > "$1"', path, fifo], { stdio: 'inherit' });
    const catExited = once(cat, 'exit');
    let stats = { events: 0, malformedLines: 0 };
    let polls = 0;
    const giveUp = Date.now() + 600_000;
    while (stats.events + stats.malformedLines < LINES) {
      if (Date.now() > giveUp || ingest.exitCode !== null)
        throw new Error(`stuck at ${JSON.stringify(stats)}`);
      await new Promise((r) => setTimeout(r, 10));
      stats = await readStats(redis, keys);
      polls++;
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const cpuS = cpuSeconds(ingest.pid) - cpuBefore;
    await catExited;
    const after = await commandStats(redis);
    const redisCpuS = (await redisCpuSeconds(redis)) - redisCpuBefore;
    const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    let commands = 0;
    for (const [name, calls] of after) commands += calls - (before.get(name) ?? 0);
    commands -= polls + 2; // our own HMGETs and INFOs
    const roundTrips = delta('evalsha') + delta('eval');
    const status = readFileSync(`/proc/${ingest.pid}/status`, 'utf8');
    const peakRssMb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    return { ms, stats, commands, roundTrips, peakRssMb, cpuS, redisCpuS };
  } finally {
    // An ingest that already exited (a port in use, say) sends no 'exit' any more.
    if (ingest.exitCode === null && ingest.signalCode === null) {
      const exited = once(ingest, 'exit');
      ingest.kill('SIGTERM');
      await exited;
    }
    rmSync(fifo, { force: true });
    await deleteKeysWithPrefix(redis, prefix);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const redis = new Redis(process.env['REDIS_URL'] || 'redis://127.0.0.1:6379');
  const ratios: number[] = [];
  const rates: number[] = [];
  const rss: number[] = [];
  const cpu: number[] = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      const path = generateFile(Math.floor(Date.now() / 1000));
      let bareRate = 0;
      for (let loop = 0; loop < BARE_LOOPS; loop++) {
        const bare = bareLoop(path);
        bareRate = Math.max(bareRate, (bare.lines / bare.ms) * 1000);
      }
      const real = await realIngest(path, redis);
      const realRate = (LINES / real.ms) * 1000;
      ratios.push(realRate / bareRate);
      rates.push(realRate);
      rss.push(real.peakRssMb);
      cpu.push(real.cpuS);
      const per1k = (n: number) => ((n / real.stats.events) * 1000).toFixed(2);
      console.log(
        `run ${run}: ${LINES} lines, vocabulary ${VOCABULARY}, ${TYPES} types, ${CORRUPT * 100}% corrupt, ${WINDOWED ? `recent (windowed, over ${SPREAD_S} s)` : 'old (totals only)'} timestamps`,
      );
      console.log(
        `  bare split+JSON.parse   ${Math.round(bareRate).toLocaleString('en')} lines/s  (best of ${BARE_LOOPS})`,
      );
      console.log(
        `  ingest end to end       ${Math.round(realRate).toLocaleString('en')} lines/s  (ratio ${(realRate / bareRate).toFixed(2)})`,
      );
      console.log(`  ingest peak RSS         ${real.peakRssMb.toFixed(0)} MB`);
      console.log(
        `  ingest CPU time         ${real.cpuS.toFixed(2)} s (user + system, while timed: ${Math.round(LINES / real.cpuS).toLocaleString('en')} lines per CPU second)`,
      );
      console.log(
        `  Redis per 1,000 events  ${per1k(real.roundTrips)} round trips, ${per1k(real.commands)} commands`,
      );
      console.log(
        `  Redis CPU               ${real.redisCpuS.toFixed(1)} s, ${((real.redisCpuS / real.stats.events) * 1e6).toFixed(0)} ms per 1,000 events`,
      );
      console.log(
        `  counted                 ${real.stats.events} events, ${real.stats.malformedLines} malformed`,
      );
    }
    if (RUNS > 1) {
      console.log(
        `median of ${RUNS} runs: ratio ${median(ratios).toFixed(2)}, ingest ${Math.round(median(rates)).toLocaleString('en')} lines/s, peak RSS ${median(rss).toFixed(0)} MB, CPU ${median(cpu).toFixed(2)} s`,
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
