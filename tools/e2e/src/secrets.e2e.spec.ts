import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLocalPort, uniqueTestPrefix } from '@tally/aggregation/testing';
import {
  type AppName,
  type AppProcess,
  startApp,
  stopApp,
  workspaceRoot,
} from '@tally/app-processes';
import { eventually } from '@tally/testing';

const LOG_DIR = join(workspaceRoot, 'tmp', 'e2e-logs');
const SECRET = 'hunter2-s3cret';

/** Runs a built app to its exit with `env`; returns its exit status and output. */
function runToExit(app: AppName, env: Record<string, string>) {
  const run = spawnSync(process.execPath, [join(workspaceRoot, 'dist', 'apps', app, 'main.js')], {
    encoding: 'utf8',
    timeout: 15_000,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('a password in REDIS_URL never shows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-secrets-'));
  const started: AppProcess[] = [];

  afterAll(async () => {
    await Promise.all(started.map((app) => stopApp(app)));
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['ingest', { HEALTH_PORT: '9' }],
    ['api', {}],
    ['producer', { TRANSPORT: 'redis-stream' }],
  ] as const)('in the %s error for an invalid REDIS_URL', (app, extra) => {
    const run = runToExit(app, {
      ...extra,
      REDIS_URL: `redis://user:${SECRET}@127.0.0.1:99999`,
      FIFO_PATH: join(dir, `${app}.fifo`),
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `${app}: invalid REDIS_URL "redis://***@127.0.0.1:99999": expected redis://[user:password@]host[:port][/db] or rediss://…\n`,
    );
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it("in the ingest's /health, /metrics and logs while that Redis cannot be reached, nor its address", async () => {
    const redisPort = await freeLocalPort(); // nothing listens there
    const healthPort = await freeLocalPort();
    const ingest = startApp(
      'ingest',
      {
        REDIS_URL: `redis://admin:${SECRET}@127.0.0.1:${redisPort}`,
        KEY_PREFIX: uniqueTestPrefix('secrets'),
        FIFO_PATH: join(dir, 'ingest.fifo'),
        HEALTH_PORT: String(healthPort),
        HEALTH_HOST: '127.0.0.1',
      },
      LOG_DIR,
    );
    started.push(ingest);
    const base = `http://127.0.0.1:${healthPort}`;
    const health = await eventually('/health to name the failure', async () => {
      const res = await fetch(`${base}/health`);
      const body = (await res.json()) as { error?: string };
      return res.status === 503 && /ECONNREFUSED/.test(body.error ?? '') ? body : undefined;
    });
    expect(health.error).toMatch(
      /^starting: waiting for the lease on INGEST_ID "[^"]+"; redis: not connected \(\w+\): connection error \(ECONNREFUSED\)$/,
    );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const text of [JSON.stringify(health), metrics, ingest.stdout(), ingest.stderr()]) {
      expect(text).not.toContain(SECRET);
    }
    expect(JSON.stringify(health)).not.toContain(String(redisPort));
  });
});
