import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const workspaceRoot = join(__dirname, '..', '..', '..', '..');

export interface AppProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout so far (pino JSON lines). */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
}

/** Starts `node dist/apps/<app>/main.js` with `env` added to a minimal environment. */
export function startApp(
  app: 'producer' | 'ingest' | 'api',
  env: Record<string, string>,
): AppProcess {
  const child = spawn(process.execPath, [join(workspaceRoot, 'dist', 'apps', app, 'main.js')], {
    cwd: workspaceRoot,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  // Every app's output also goes to tmp/e2e-logs/<app>-<pid>.log, to read after a failure.
  const logDir = join(workspaceRoot, 'tmp', 'e2e-logs');
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(join(logDir, `${app}-${child.pid}.log`));
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    log.write(d);
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    log.write(d);
  });
  child.on('exit', () => log.end());
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Sends `signal` and waits for the exit; kills with SIGKILL if it takes longer than `ms`. */
export async function stopApp(app: AppProcess, signal: NodeJS.Signals = 'SIGTERM', ms = 10_000) {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return app.exited;
  app.child.kill(signal);
  const timer = setTimeout(() => app.child.kill('SIGKILL'), ms);
  try {
    return await app.exited;
  } finally {
    clearTimeout(timer);
  }
}
