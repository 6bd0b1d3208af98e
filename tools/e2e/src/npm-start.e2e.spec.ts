import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  freeLocalPort,
  redisReachableSync,
  testRedisUrl,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import { workspaceRoot } from '@tally/app-processes';
import { describeIf, eventually } from '@tally/testing';

/** npm start's whole output, kept here to read after a failure. */
const LOG_DIR = join(workspaceRoot, 'tmp', 'e2e-logs');

/** util-linux `script` runs a command on a pseudo-terminal: `npm start` as in a terminal. */
function scriptInstalled(): boolean {
  return spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Every process below `root`, from `ps` (the apps run in process groups of their own). */
function descendants(root: number): { pid: number; args: string }[] {
  const rows = spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')
    .map((line) => {
      const [, pid, ppid, args] = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line) ?? [];
      return { pid: Number(pid), ppid: Number(ppid), args: args ?? '' };
    });
  const found: { pid: number; args: string }[] = [];
  for (let parents = [root]; parents.length > 0;) {
    const children = rows.filter((row) => parents.includes(row.ppid));
    found.push(...children.map(({ pid, args }) => ({ pid, args })));
    parents = children.map((child) => child.pid);
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false; // ESRCH: gone
  }
}

/** A log line as pino-pretty writes it after the prefix: `[10:21:08.445] INFO: …`. */
const PRETTY = String.raw`\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|ERROR|FATAL|DEBUG|TRACE): `;

describeIf(
  'npm start in a terminal',
  () => scriptInstalled() && redisReachableSync(),
  `needs util-linux \`script\` and a Redis at ${testRedisUrl()}`,
  () => {
    const prefix = uniqueTestPrefix('e2e-npm-start');
    const fifoDir = mkdtempSync(join(tmpdir(), 'tally-npm-start-'));
    let npm: ChildProcessWithoutNullStreams | undefined;
    let pids: number[] = [];
    let output = '';

    afterAll(async () => {
      // Only after a failure is anything left: end it by PID, the tree first.
      for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
      if (npm?.pid && npm.exitCode === null) process.kill(npm.pid, 'SIGKILL');
      mkdirSync(LOG_DIR, { recursive: true });
      writeFileSync(join(LOG_DIR, `npm-start-${npm?.pid ?? 'none'}.log`), output);
      const redis = createTestRedis();
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
      rmSync(fifoDir, { recursive: true, force: true });
    });

    it('prints prefixed pretty lines and no inspector, and Ctrl-C stops every process', async () => {
      const [port, healthPort] = [await freeLocalPort(), await freeLocalPort()];
      npm = spawn('script', ['-qefc', 'npm start', '/dev/null'], {
        cwd: workspaceRoot,
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: process.env['HOME'] ?? tmpdir(),
          TERM: 'xterm-256color',
          // The e2e target built the apps; a build now would rewrite dist/ under the built
          // apps that the other suites (faults, the browser test) are starting meanwhile.
          START_SKIP_BUILD: '1',
          REDIS_URL: testRedisUrl(),
          KEY_PREFIX: prefix,
          FIFO_PATH: join(fifoDir, 'events.fifo'),
          HOST: '127.0.0.1',
          PORT: String(port),
          HEALTH_HOST: '127.0.0.1',
          HEALTH_PORT: String(healthPort),
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => npm?.on('exit', resolve));
      const text = () => stripVTControlCharacters(output).replace(/\r/g, '');

      await eventually(
        'each app to log a prefixed pretty line',
        () =>
          [
            new RegExp(`^producer \\| ${PRETTY}starting `, 'm'),
            new RegExp(`^ingest   \\| ${PRETTY}ingest started `, 'm'),
            new RegExp(`^api      \\| ${PRETTY}api listening `, 'm'),
          ].every((pattern) => pattern.test(text())),
        { timeoutMs: 40_000, everyMs: 100 },
      );
      const tree = descendants(npm.pid as number);
      pids = tree.map((process) => process.pid);
      expect(
        ['producer', 'ingest', 'api'].map((app) =>
          tree.some((process) => process.args.includes(`dist/apps/${app}/main.js`)),
        ),
      ).toEqual([true, true, true]);

      npm.stdin.write('\x03'); // Ctrl-C, as the terminal sends it
      await eventually('npm start to exit', () => npm?.exitCode !== null || npm.signalCode, {
        timeoutMs: 15_000,
        everyMs: 50,
      });
      // 128 + SIGINT: npm's `sh -c` got the Ctrl-C too, and says so however its child ended
      // (start-dev itself exits 0 here, 1 when an app failed: checked below by its lines).
      expect(await exited).toBe(130);
      await eventually('every process npm start started to be gone', () => !pids.some(alive), {
        timeoutMs: 5_000,
        everyMs: 50,
      });

      const lines = text().split('\n');
      expect(lines.filter((line) => /inspector|Debugger listening/i.test(line))).toEqual([]);
      // Every log line is whole and has its app's prefix: no JSON, no line without a prefix.
      expect(lines.filter((line) => /\{"level":/.test(line))).toEqual([]);
      expect(
        lines.filter(
          (line) =>
            new RegExp(PRETTY).test(line) &&
            !new RegExp(`^(producer|ingest  |api     ) \\| ${PRETTY}`).test(line),
        ),
      ).toEqual([]);
      expect(text()).toContain('tally: SIGINT: stopping producer, ingest, api');
      expect(lines.filter((line) => /^tally: \w+ exited/.test(line))).toEqual([]);
      expect(text()).toMatch(new RegExp(`^api      \\| ${PRETTY}api stopped `, 'm'));
      expect(text()).toMatch(new RegExp(`^ingest   \\| ${PRETTY}stopped `, 'm'));
    }, 60_000);
  },
);
