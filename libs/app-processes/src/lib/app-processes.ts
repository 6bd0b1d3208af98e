/**
 * The built apps as real processes, for the tools' end-to-end and fault tests: start one
 * (`node dist/apps/<app>/main.js`), stop it, and fail a wait at once when one died (with
 * `eventually` from @tally/testing). One copy for tools/e2e, tools/faults and tools/dashboard-e2e.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { GiveUp } from '@tally/testing';

/** The repository root (this file is libs/app-processes/src/lib/app-processes.ts). */
export const workspaceRoot = join(__dirname, '..', '..', '..', '..');

export type AppName = 'producer' | 'ingest' | 'api';

export interface AppProcess {
  readonly name: AppName;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written to stdout so far (pino JSON lines). */
  stdout(): string;
  stderr(): string;
  /** The exit code, or the signal name, once the process has exited. */
  readonly exited: Promise<number | string>;
  readonly running: boolean;
}

/**
 * Starts `node dist/apps/<app>/main.js` with `env` added to a minimal environment. Its stdout
 * and stderr are kept (see {@link AppProcess}) and also written to `<logDir>/<app>-<pid>.log`,
 * to read after a failure.
 */
export function startApp(app: AppName, env: Record<string, string>, logDir: string): AppProcess {
  const child = spawn(process.execPath, [join(workspaceRoot, 'dist', 'apps', app, 'main.js')], {
    cwd: workspaceRoot,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${app}`);
  let out = '';
  let err = '';
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
  return {
    name: app,
    child,
    pid: child.pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
  };
}

/** Sends `signal` and waits for the exit; SIGKILL when it takes longer than `ms`. */
export async function stopApp(
  app: AppProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  ms = 10_000,
): Promise<number | string> {
  if (!app.running) return app.exited;
  app.child.kill(signal);
  const timer = setTimeout(() => app.child.kill('SIGKILL'), ms);
  try {
    return await app.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Throws {@link GiveUp} when `app` is no longer running, with its exit and last output. */
export function assertRunning(app: AppProcess): void {
  if (app.running) return;
  const status = app.child.exitCode ?? app.child.signalCode;
  const tail = (app.stderr() || app.stdout()).trim().split('\n').slice(-3).join('\n');
  throw new GiveUp(`${app.name} ${app.pid} is not running (exit ${status}); last output:\n${tail}`);
}
