import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { GiveUp } from '@tally/testing';
import { type AppProcess, assertRunning, stopApp } from './app-processes';

/** An AppProcess around `node -e script`, the way startApp builds one around an app. */
function nodeProcess(script: string): AppProcess {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return {
    name: 'ingest',
    child,
    pid: child.pid ?? -1,
    stdout: () => '',
    stderr: () => err,
    exited,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
  };
}

describe('assertRunning', () => {
  it('passes while the process runs', async () => {
    const app = nodeProcess('setInterval(() => undefined, 1000)');
    try {
      expect(() => assertRunning(app)).not.toThrow();
    } finally {
      expect(await stopApp(app)).toBe('SIGTERM');
    }
  });

  it('throws GiveUp with the exit and the last output once it has exited', async () => {
    const app = nodeProcess('console.error("boom"); process.exit(3)');
    expect(await app.exited).toBe(3);
    const thrown = (() => {
      try {
        assertRunning(app);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(GiveUp);
    expect((thrown as Error).message).toMatch(
      /^ingest \d+ is not running \(exit 3\); last output:\nboom$/,
    );
  });
});

describe('stopApp', () => {
  it('returns the exit of a process that has already exited', async () => {
    const app = nodeProcess('process.exit(5)');
    await app.exited;
    expect(await stopApp(app)).toBe(5);
  });
});
