import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { freeLocalPort, testRedisUrl, uniqueTestPrefix } from '@tally/aggregation/testing';
import {
  type AppProcess,
  assertRunning,
  startApp,
  stopApp,
  workspaceRoot,
} from '@tally/app-processes';
import { eventually, watchOrigin } from '@tally/testing';

const LOG_DIR = join(workspaceRoot, 'tmp', 'e2e-logs');
/**
 * Delays at which the api gets SIGTERM, counted from the moment it starts loading its first
 * heavy module (announce-heavy-module.cjs): from then on its stop handlers are installed, and
 * 0 … 200 ms covers loading express, ioredis and pino, creating the app and listening.
 */
const DELAYS_MS = [0, 10, 30, 60, 100, 150, 200];
const ANNOUNCE = join(__dirname, 'support', 'announce-heavy-module.cjs');

const waitMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the built api stops cleanly', () => {
  const started: AppProcess[] = [];
  const prefix = uniqueTestPrefix('e2e-api-stop');

  async function startApi(env: Record<string, string> = {}) {
    const port = await freeLocalPort();
    const api = startApp(
      'api',
      {
        REDIS_URL: testRedisUrl(),
        KEY_PREFIX: prefix,
        PORT: String(port),
        HOST: '127.0.0.1',
        ...env,
      },
      LOG_DIR,
    );
    started.push(api);
    watchOrigin(`http://127.0.0.1:${port}`); // every answer checked against the OpenAPI file
    return { api, port };
  }
  async function listening(api: AppProcess, port: number): Promise<void> {
    // Healthy, not only answering: its Redis client is ready (and has logged so) before the
    // test stops it, so the last lines logged are the stop's.
    await eventually('the api to answer /health with 200', async () => {
      assertRunning(api);
      return (await fetch(`http://127.0.0.1:${port}/health`)).status === 200 ? true : undefined;
    });
  }
  /** A connection that sent half a request head and waits: the server cannot call it idle. */
  async function halfRequest(port: number): Promise<Socket> {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.on('error', () => undefined); // cut by the server: expected
    socket.write('GET /events/stats HTTP/1.1\r\nHost: x\r\n');
    return socket;
  }

  afterAll(async () => {
    await Promise.all(started.map((proc) => stopApp(proc, 'SIGKILL')));
  });

  it('exits 0 on SIGTERM at any moment of start-up, from its first module on', async () => {
    const outcomes: Record<number, number | string> = {};
    for (const delay of DELAYS_MS) {
      const { api } = await startApi({ NODE_OPTIONS: `--require ${ANNOUNCE}` });
      // Polled every 10 ms: start-up takes a few hundred ms here, the delays reach 200 ms.
      await eventually(
        'the api to load its first heavy module',
        () => {
          assertRunning(api);
          return api.stderr().startsWith('LOADING ') ? true : undefined;
        },
        { timeoutMs: 20_000, everyMs: 10 },
      );
      await waitMs(delay); // the fault: a signal at this moment, not a synchronization
      api.child.kill('SIGTERM');
      outcomes[delay] = await api.exited;
      expect({ delay, exit: outcomes[delay] }).toEqual({ delay, exit: 0 });
      expect(api.stderr()).toMatch(/^LOADING (pino|ioredis|express)\n$/);
    }
    console.info(`api: SIGTERM during start-up, exits by delay: ${JSON.stringify(outcomes)}`);
  });

  it('once listening, ends its live streams, waits out the grace for a stuck request, and exits 0', async () => {
    const { api, port } = await startApi();
    await listening(api, port);
    const live = await fetch(`http://127.0.0.1:${port}/events/live`);
    const reader = live.body!.getReader();
    await reader.read(); // retry + history: the stream is open
    const stuck = await halfRequest(port);
    const stoppedAt = performance.now();
    api.child.kill('SIGTERM');
    // The stream ends by itself (not by an abort of ours): read until done.
    for (;;) if ((await reader.read()).done) break;
    expect(await api.exited).toBe(0);
    // The half-sent request held the server until the grace period (3 s) cut it.
    expect(performance.now() - stoppedAt).toBeGreaterThan(2_500);
    stuck.destroy();
    const events = api
      .stdout()
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { event?: string }).event);
    expect(events.slice(-2)).toEqual(['shutdown', 'stopped']);
  });

  it('exits at once, with 1, on a second signal during a stop', async () => {
    const { api, port } = await startApi();
    await listening(api, port);
    const stuck = await halfRequest(port);
    api.child.kill('SIGTERM');
    await eventually('the api to begin its stop', () =>
      api.stdout().includes('"event":"shutdown"') ? true : undefined,
    );
    const secondAt = performance.now();
    api.child.kill('SIGINT');
    expect(await api.exited).toBe(1);
    expect(performance.now() - secondAt).toBeLessThan(2_000); // not the 3 s grace
    stuck.destroy();
  });
});
