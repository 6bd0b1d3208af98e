import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AppName, type AppProcess, startApp, workspaceRoot } from '@tally/app-processes';

/** Where every process's output goes, to read after a failure: tmp/faults-logs/<app>-<pid>.log. */
export const logDir = join(workspaceRoot, 'tmp', 'faults-logs');

/** Starts a built app for a fault test, its output logged under {@link logDir}. */
export function startFaultsApp(app: AppName, env: Record<string, string>): AppProcess {
  return startApp(app, env, logDir);
}

/**
 * Holds a fault for `ms` (a Redis outage of a given length). Not a synchronization: what the
 * test waits FOR is always polled with `eventually`.
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

/**
 * A GENERATOR_CMD that makes the built producer forward `file` at `linesPerSecond` (0 = as
 * fast as it goes) through paced-cat.mjs, so the real producer writes the lines.
 */
export function pacedCatCommand(file: string, linesPerSecond: number): string {
  const argv = [process.execPath, join(__dirname, 'paced-cat.mjs'), file, String(linesPerSecond)];
  return `exec ${argv.map(shellQuote).join(' ')}`;
}

/** A process's Prometheus `/metrics` at `base` as `name{labels}` -> value. */
export async function scrapeMetrics(base: string): Promise<Map<string, number>> {
  const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5_000) });
  const metrics = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) metrics.set(match[1], Number(match[2]));
  }
  return metrics;
}
