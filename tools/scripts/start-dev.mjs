#!/usr/bin/env node
// `npm start`: the whole pipeline locally (producer, ingest and api via `nx run-many -t serve`)
// against the Redis at REDIS_URL. When nothing answers at a local address, starts
// `redis-server` itself (data under tmp/redis, with AOF) if one is installed, and says so;
// otherwise stops with one message naming the ways to get a Redis.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

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
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (!(await waitForRedis(5000))) {
    console.error('tally: redis-server did not answer within 5 s');
    redisChild.kill('SIGTERM');
    process.exit(1);
  }
}

const nx = spawn(
  'npx',
  ['nx', 'run-many', '-t', 'serve', '-p', 'producer', 'ingest', 'api', '--tui=false'],
  {
    stdio: 'inherit',
    // Without the Nx daemon by default: `serve` then builds once and runs, instead of depending
    // on a file-watching daemon (which can restart mid-run and take the serve tasks with it).
    // NX_DAEMON=true npm start brings watch mode back.
    env: { NX_DAEMON: 'false', ...process.env, NX_TUI: 'false' },
  },
);
const stop = (signal) => {
  nx.kill(signal);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
nx.on('exit', (code) => {
  if (redisChild) redisChild.kill('SIGTERM');
  process.exit(code ?? 0);
});
