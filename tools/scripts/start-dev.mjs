#!/usr/bin/env node
// `npm start`: the whole pipeline locally against the Redis at REDIS_URL. Builds producer,
// ingest and api once (`nx run-many -t build`), then runs the three built apps itself, each
// line of their stdout and stderr prefixed with the app's name (`api      | …`). When stdout is
// a terminal the apps log with LOG_FORMAT=pretty; otherwise JSON, as everywhere else.
// INSPECT=1 (or INSPECT=api,ingest) starts Node's inspector: api 9229, ingest 9230, producer
// 9231, on 127.0.0.1. Ctrl-C stops every app once, waits for all of them, then exits.
//
// When nothing answers at a local address, starts `redis-server` itself (data under
// tmp/redis, with AOF) if one is installed, and says so; otherwise stops with one message
// naming the ways to get a Redis.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { join } from 'node:path';
import { appEnv, APPS, inspectorPorts, prefixOf } from './lib/dev-apps.cjs';
import { LinePrefixer } from './lib/line-prefixer.cjs';

let inspect;
try {
  inspect = inspectorPorts(process.env.INSPECT);
} catch (error) {
  console.error(`tally: ${error.message}`);
  process.exit(1);
}

const url = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
// What may be printed of it: never a password (as the apps' redactUserInfo).
const shown =
  url.username || url.password ? `${url.protocol}//***@${url.host}${url.pathname}` : url.href;
const host = url.hostname.replace(/^\[|\]$/g, '');
const port = Number(url.port || 6379);

function ping() {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(/^(\+PONG|-NOAUTH)/.test(d.toString())));
    socket.on('error', () => done(false));
  });
}

async function waitForRedis(deadlineMs) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (await ping()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

let redisChild = null;
if (!(await ping())) {
  const local = ['127.0.0.1', 'localhost', '::1'].includes(host);
  const installed =
    spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0;
  if (!local || !installed) {
    console.error(
      `tally: no Redis answers at ${shown}. Start one with ` +
        `\`docker compose -f docker-compose.yml -f docker-compose.dev-redis.yml up -d redis\` ` +
        `(publishes it on 127.0.0.1:6379; then REDIS_URL=redis://:<REDIS_PASSWORD>@127.0.0.1:6379), or install your distribution's redis-server package ` +
        `(Debian/Ubuntu: apt-get install redis-server), then run npm start again.`,
    );
    process.exit(1);
  }
  const dir = join(process.cwd(), 'tmp', 'redis');
  mkdirSync(dir, { recursive: true });
  console.log(
    `tally: no Redis at ${shown}; starting redis-server on ${host}:${port} (data in ${dir})`,
  );
  redisChild = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      host === 'localhost' ? '127.0.0.1' : host,
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--save',
      '',
    ],
    // Its own process group: stopped by start-dev after the apps, not by the terminal's Ctrl-C.
    { stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  );
  if (!(await waitForRedis(5000))) {
    console.error('tally: redis-server did not answer within 5 s');
    redisChild.kill('SIGTERM');
    process.exit(1);
  }
}

const toTerminal = Boolean(process.stdout.isTTY);
const colour = toTerminal && process.env.NO_COLOR === undefined;
const COLOURS = { producer: 33, ingest: 35, api: 36 }; // yellow, magenta, cyan
const running = new Map(); // name -> child process (the build, then the apps), until it ends
let stopping = null; // the signal being passed on, once one came
let failed = false;

function stop(signal) {
  if (!stopping) console.error(`tally: ${signal}: stopping ${[...running.keys()].join(', ')}`);
  stopping = signal;
  for (const child of running.values()) child.kill(signal);
}

function finish() {
  // Redis last: the ingest stores what it has read before it exits.
  if (redisChild) redisChild.kill('SIGTERM');
  process.exit(failed ? 1 : 0);
}

// A second Ctrl-C is passed on too: each app then stops at once (its own rule for a repeat).
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
// The terminal went away: stop the apps rather than leave them running without it.
process.on('SIGHUP', () => stop('SIGTERM'));
// However start-dev ends, nothing it started outlives it (short of a SIGKILL of start-dev).
process.on('exit', () => {
  for (const child of running.values()) child.kill('SIGTERM');
  if (redisChild) redisChild.kill('SIGTERM');
});

/**
 * Runs `args` (after node) as `name`. A prefixed process (an app) gets its own process group:
 * a Ctrl-C in the terminal reaches start-dev only, which passes it on once (had the apps the
 * terminal's group too, each would get it twice: a forced stop). The build keeps the
 * terminal (its group, its output as it is). `onEnd(code, signal)` runs once the process has
 * exited and all it wrote is printed.
 */
function run(name, args, { env, prefixed }, onEnd) {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', prefixed ? 'pipe' : 'inherit', prefixed ? 'pipe' : 'inherit'],
    env,
    detached: prefixed,
  });
  let printed = Promise.resolve();
  if (prefixed) {
    const plain = prefixOf(name);
    const prefix = colour ? `\x1b[${COLOURS[name]}m${plain.slice(0, -2)}\x1b[0m| ` : plain;
    printed = Promise.all(
      [
        [child.stdout, process.stdout],
        [child.stderr, process.stderr],
      ].map(([from, to]) => {
        const lines = new LinePrefixer(prefix);
        from.on('data', (chunk) => to.write(lines.push(chunk)));
        return new Promise((resolve) => from.on('end', () => resolve(to.write(lines.end()))));
      }),
    );
  }
  running.set(name, child);
  child.on('close', async (code, signal) => {
    await printed;
    running.delete(name);
    onEnd(code, signal);
  });
}

// The build, once, without the Nx daemon by default (no file watching is needed for that).
const nxBin = createRequire(import.meta.url).resolve('nx/bin/nx.js');
const buildArgs = [nxBin, 'run-many', '-t', 'build', '-p', ...APPS.map((app) => app.name)];
const nxEnv = { NX_DAEMON: 'false', ...process.env, NX_TUI: 'false' };
// START_SKIP_BUILD=1 runs the apps already in dist/ as they are: for the e2e test of npm start,
// which runs while other suites run those same built files (a build then would rewrite them
// under a process that is loading one).
if (process.env.START_SKIP_BUILD === '1') startApps();
else {
  run('nx', [...buildArgs, '--tui=false'], { env: nxEnv, prefixed: false }, (code) => {
    if (code !== 0 || stopping) {
      failed = code !== 0;
      return finish();
    }
    startApps();
  });
}

function startApps() {
  const env = appEnv(process.env, toTerminal);
  for (const { name } of APPS) {
    const port = inspect.get(name);
    const node = ['--enable-source-maps', ...(port ? [`--inspect=127.0.0.1:${port}`] : [])];
    run(
      name,
      [...node, join('dist', 'apps', name, 'main.js')],
      { env, prefixed: true },
      (code, signal) => {
        if (code !== 0) failed = true;
        if (code !== 0 && !stopping) {
          console.error(`tally: ${name} exited (${signal ?? `code ${code}`}); stopping the others`);
          stop('SIGTERM');
        }
        if (running.size === 0) finish();
      },
    );
  }
}
