import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server of a test's own, on a free loopback port, that the test may stop and restart. */
export interface OwnRedisServer {
  readonly port: number;
  readonly url: string;
  /** Its data directory (the AOF lives here when `appendonly` is on). */
  readonly dir: string;
  /** SIGTERM (Redis finishes its AOF write) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** Start again on the same port and directory, waiting until it answers PING. */
  start(): Promise<void>;
  /** Stop it for good and delete its directory. */
  dispose(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freeLocalPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(d.toString().startsWith('+PONG')));
    socket.on('error', () => done(false));
  });
}

/**
 * Starts Debian's `redis-server` on a free port with its data under a temp dir. For fault
 * tests that stop, kill and restart Redis without touching the shared server on 6379.
 * @param appendonly turn AOF on (`appendfsync always`, so a kill loses nothing acknowledged)
 * @param port a port of the test's choosing (a client already retrying there); default: a free one
 */
export async function startOwnRedisServer(
  options: { appendonly?: boolean; port?: number } = {},
): Promise<OwnRedisServer> {
  const port = options.port ?? (await freeLocalPort());
  const dir = mkdtempSync(join(tmpdir(), 'tally-redis-'));
  let child: ChildProcess | null = null;

  const start = async () => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      options.appendonly ? 'yes' : 'no',
      '--appendfsync',
      'always',
    ];
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    const deadline = Date.now() + 10_000;
    while (!(await pingOnce(port))) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}`);
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer in 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const signal = async (sig: NodeJS.Signals) => {
    const proc = child;
    if (proc === null || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill(sig);
    await exited;
    child = null;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    start,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    dispose: async () => {
      await signal('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
