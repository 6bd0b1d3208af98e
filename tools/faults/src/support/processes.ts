import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const workspaceRoot = join(__dirname, '..', '..', '..', '..');

/** Where every process's output goes, to read after a failure: tmp/faults-logs/<app>-<pid>.log. */
export const logDir = join(workspaceRoot, 'tmp', 'faults-logs');

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

/** Starts `node dist/apps/<app>/main.js` with `env` added to a minimal environment. */
export function startApp(app: AppName, env: Record<string, string>): AppProcess {
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

/** Thrown from an {@link eventually} check to stop waiting at once (a process died). */
export class GiveUp extends Error {
  override readonly name = 'GiveUp';
}

/** Throws {@link GiveUp} when `app` is no longer running, with its exit and last output. */
export function assertRunning(app: AppProcess): void {
  if (app.running) return;
  const status = app.child.exitCode ?? app.child.signalCode;
  const tail = (app.stderr() || app.stdout()).trim().split('\n').slice(-3).join('\n');
  throw new GiveUp(`${app.name} ${app.pid} is not running (exit ${status}); last output:\n${tail}`);
}

/**
 * Polls `check` until it returns something other than undefined, or fails after `timeoutMs`
 * with `what` and the last error seen; a {@link GiveUp} from `check` fails at once. The way to
 * wait, instead of a sleep.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
      last = undefined;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      last = error;
    }
    if (Date.now() > deadline) {
      const detail = last === undefined ? '' : `: ${String(last)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Holds a fault for `ms` (a Redis outage of a given length). Not a synchronization: what the
 * test waits FOR is always polled with {@link eventually}.
 */
export function holdFaultFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** A value in kB from /proc/<pid>/status, in bytes: VmRSS now, VmHWM its peak so far. */
export function procMemoryBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** Whether Debian's `redis-server` can be started here. */
export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { timeout: 5_000 }).status === 0;
}

/** Quotes `text` for `/bin/sh -c` (GENERATOR_CMD). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
