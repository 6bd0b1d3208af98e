import { constants, mkdtempSync, rmSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  describeWithRedis,
  freeLocalPort,
  testRedisUrl,
  uniqueTestPrefix,
} from '@tally/aggregation/testing';
import {
  type AppName,
  type AppProcess,
  assertRunning,
  startApp,
  stopApp,
  workspaceRoot,
} from '@tally/app-processes';
import { eventually, watchOrigin } from '@tally/testing';

/** Every app's output also goes to tmp/e2e-logs/<app>-<pid>.log, to read after a failure. */
const LOG_DIR = join(workspaceRoot, 'tmp', 'e2e-logs');

/**
 * Writes all of `data`: one write(2) to a pipe may take only part of a large buffer (a signal
 * arriving while it waits for the reader), and FileHandle.write reports that, it does not retry.
 */
async function writeAll(handle: FileHandle, data: Buffer | string): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  for (let done = 0; done < bytes.length;) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
    done += bytesWritten;
  }
}

/** The JSON text SPEC §4 requires for these entries, in this order. */
function countsText(entries: [string, number][]): string {
  return '{' + entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',') + '}';
}

const PART_1 = Buffer.concat([
  Buffer.from(
    [
      '{ "event_type": "baz", "data": "amet", "timestamp": 1564039783 }',
      '{ "event_type": "foo", "data": "dolor ipsum", "timestamp": 1564039789 }',
      '{ "Cu*S',
      '',
      '   \t  ',
      '{ "event_type": "foo", "data": "Hello, world! HELLO", "timestamp": 1564039790 }\r',
      '{"event_type":"__proto__","data":"__proto__ 42 ünïcode","timestamp":1}',
      `{"event_type":"constructor","data":"don't e-mail rock'n'roll","timestamp":2.9}`,
      '{"event_type":"😀 \\"q\\" \\\\","data":"","timestamp":3}',
      '{"event_type":"foo","data":"x","timestamp":-1}',
      '{"event_type":"foo","data":"x","timestamp":"1"}',
      '[1,2,3]',
      '{"event_type":"","data":"x","timestamp":1}',
      '',
    ].join('\n'),
  ),
  Buffer.from('{"event_type":"foo","data":"'),
  Buffer.from([0xff, 0xfe]),
  Buffer.from('","timestamp":1}\n'),
  Buffer.from(`{"event_type":"big","data":"${'a'.repeat(1_100_000)}","timestamp":1}\n`),
]);

const PART_2 = Buffer.from(
  [
    '{"event_type":"bar","data":"Ünïcode ünïcode","timestamp":5}',
    '{"event_type":"bar","data":"e\\u0301t\\u00e9","timestamp":5}',
    // Unterminated: complete once the writer closes (SPEC §1).
    '{"event_type":"baz","data":"amet amet","timestamp":6}',
  ].join('\n'),
);

const EXPECTED_TYPES: [string, number][] = [
  ['bar', 2],
  ['baz', 2],
  ['foo', 2],
  ['__proto__', 1],
  ['constructor', 1],
  ['😀 "q" \\', 1],
];
const EXPECTED_WORDS: [string, number][] = [
  ['amet', 3],
  ['ünïcode', 3],
  ['hello', 2],
  ['42', 1],
  ['dolor', 1],
  ["don't", 1],
  ['e-mail', 1],
  ['ipsum', 1],
  ['proto', 1],
  ["rock'n'roll", 1],
  ['world', 1],
  ['été', 1],
];

describeWithRedis('the built apps, end to end', () => {
  const prefix = uniqueTestPrefix('e2e');
  const dir = mkdtempSync(join(tmpdir(), 'tally-e2e-'));
  const fifo = join(dir, 'events.fifo');
  let redis: Redis;
  let ingest: AppProcess;
  /** Every process a test started, stopped in afterAll even when a test failed midway. */
  const started: AppProcess[] = [];
  const start = (app: AppName, appEnv: Record<string, string>) => {
    const proc = startApp(app, appEnv, LOG_DIR);
    started.push(proc);
    return proc;
  };
  let base: string;
  let healthPort = 0;
  // READ_CACHE_MS=0: these tests read right after writing and compare exact numbers.
  const env = () => ({
    REDIS_URL: testRedisUrl(),
    KEY_PREFIX: prefix,
    FIFO_PATH: fifo,
    HEALTH_HOST: '127.0.0.1',
    HEALTH_PORT: String(healthPort),
    READ_CACHE_MS: '0',
  });

  async function getJson(
    path: string,
  ): Promise<{ status: number; text: string; type: string | null }> {
    const res = await fetch(base + path);
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
  }
  async function stats(): Promise<{ events: number; malformedLines: number }> {
    return JSON.parse((await getJson('/events/stats')).text);
  }
  async function writeToFifo(...parts: Buffer[]): Promise<void> {
    // O_WRONLY without O_CREAT: a missing FIFO is an error here, never a regular file that
    // would make the ingest refuse FIFO_PATH.
    const handle = await open(fifo, constants.O_WRONLY);
    try {
      for (const part of parts) await writeAll(handle, part);
    } finally {
      await handle.close();
    }
  }

  beforeAll(async () => {
    redis = createTestRedis();
    healthPort = await freeLocalPort();
    const port = await freeLocalPort();
    base = `http://127.0.0.1:${port}`;
    watchOrigin(base); // every answer checked against the OpenAPI description
    ingest = start('ingest', env());
    start('api', { ...env(), PORT: String(port), HOST: '127.0.0.1' });
    await eventually('the api to answer /health', async () =>
      (await fetch(`${base}/health`)).status === 200 ? true : undefined,
    );
    // The ingest makes the FIFO before it serves /health: the tests write only after that.
    await eventually('the ingest to answer /health', async () => {
      assertRunning(ingest);
      const res = await fetch(`http://127.0.0.1:${healthPort}/health`);
      return res.status === 200 ? true : undefined;
    });
  });

  afterAll(async () => {
    await Promise.all(started.map((proc) => stopApp(proc)));
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts a hand-made stream exactly, across two writers', async () => {
    await writeToFifo(PART_1);
    await writeToFifo(PART_2);
    await eventually('every line to be counted', async () => {
      const s = await stats();
      return s.events === 9 && s.malformedLines === 7 ? s : undefined;
    });

    const types = await getJson('/events/countByEventType');
    expect(types.status).toBe(200);
    expect(types.type).toBe('application/json; charset=utf-8');
    expect(types.text).toBe(countsText(EXPECTED_TYPES));
    expect((await getJson('/events/countWords')).text).toBe(countsText(EXPECTED_WORDS));
    expect((await getJson('/events/countWords?top=3')).text).toBe(
      countsText(EXPECTED_WORDS.slice(0, 3)),
    );
    expect(JSON.parse((await getJson('/events/stats')).text)).toEqual({
      events: 9,
      malformedLines: 7,
    });
  });

  it('keeps why lines were malformed: a count per reason and samples, exactly and safely', async () => {
    type Sample = {
      reason: string;
      bytes: number;
      truncated: boolean;
      text: string;
      base64: string;
    };
    const report = async () =>
      JSON.parse((await getJson('/events/malformed')).text) as {
        byReason: Record<string, number>;
        recent: Sample[];
      };
    // The 7 malformed lines of PART_1, newest first.
    const first = await report();
    expect(first.byReason).toEqual({
      'invalid-timestamp': 2,
      'invalid-event-type': 1,
      'invalid-json': 1,
      'invalid-utf8': 1,
      'not-an-object': 1,
      'too-long': 1,
    });
    expect(first.recent.map((sample) => sample.reason)).toEqual([
      'too-long',
      'invalid-utf8',
      'invalid-event-type',
      'not-an-object',
      'invalid-timestamp',
      'invalid-timestamp',
      'invalid-json',
    ]);
    expect(first.recent[6]).toMatchObject({ text: '{ "Cu*S', bytes: 7, truncated: false });
    expect(first.recent[1]?.text).toBe('{"event_type":"foo","data":"\\xFF\\xFE","timestamp":1}');

    // Known garbage: NUL bytes, markup, invalid UTF-8, a 2 MiB line; then a flood.
    const huge = Buffer.concat([Buffer.from('<script>'), Buffer.alloc(2 * 1024 * 1024, 0x41)]);
    const garbage: Buffer[] = [
      Buffer.from([0x00, 0x00, 0x7b, 0x00]),
      Buffer.from('<script>alert("x")</script>'),
      Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
      huge,
    ];
    const flood = Array.from({ length: 150 }, (_, i) => Buffer.from(`garbage ${i}`));
    const lines = [...flood, ...garbage];
    await writeToFifo(Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')])));
    await eventually('the garbage to be counted', async () =>
      (await stats()).malformedLines === 7 + lines.length ? true : undefined,
    );
    const after = await report();
    expect(after.byReason['invalid-json']).toBe(1 + 150 + 2);
    expect(after.byReason['invalid-utf8']).toBe(2);
    expect(after.byReason['too-long']).toBe(2);
    expect(after.recent).toHaveLength(100);
    const [tooLong, utf8, markup, nul] = after.recent;
    expect(tooLong).toMatchObject({ reason: 'too-long', truncated: true });
    expect(tooLong?.text).toBe(`<script>${'A'.repeat(248)}`);
    expect(tooLong?.bytes).toBeGreaterThan(1_048_576);
    expect(utf8).toMatchObject({ reason: 'invalid-utf8', text: '{"\\xC3("}', bytes: 6 });
    expect(markup).toMatchObject({ reason: 'invalid-json', text: '<script>alert("x")</script>' });
    expect(nul).toMatchObject({ text: '\\u{0000}\\u{0000}{\\u{0000}', truncated: false });
    for (const [sample, line] of [tooLong, utf8, markup, nul].map(
      (x, i) => [x, garbage[3 - i]] as const,
    )) {
      expect(Buffer.from(sample?.base64 ?? '', 'base64').equals(line.subarray(0, 256))).toBe(true);
    }
    expect(after.recent[4]?.text).toBe('garbage 149');
    expect(after.recent[99]?.text).toBe('garbage 54');
  });

  it('answers a bad query with a 400 JSON error and an unknown path with 404', async () => {
    const bad = await getJson('/events/countWords?top=0');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error).toMatch(/top/);
    const missing = await getJson('/events/nothing');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toHaveProperty('error');
  });

  it('finishes the line it is in the middle of on SIGTERM, stores it, and exits 0', async () => {
    const handle = await open(fifo, constants.O_WRONLY);
    try {
      await writeAll(
        handle,
        '{"event_type":"marker","data":"","timestamp":7}\n{"event_type":"late","data":"tail ',
      );
      await eventually('the marker line to be stored', async () =>
        (await stats()).events === 10 ? true : undefined,
      );
      ingest.child.kill('SIGTERM');
      await eventually('the ingest to log its shutdown', async () =>
        ingest.stdout().includes('"event":"shutdown"') ? true : undefined,
      );
      await writeAll(handle, 'end","timestamp":7}\n');
    } finally {
      await handle.close();
    }
    expect(await ingest.exited).toBe(0);
    const types = JSON.parse((await getJson('/events/countByEventType')).text);
    expect(types.late).toBe(1);
    expect(types.marker).toBe(1);
    const words = JSON.parse((await getJson('/events/countWords')).text);
    expect(words.tail).toBe(1);
    expect(words.end).toBe(1);
    expect(await stats()).toEqual({ events: 11, malformedLines: 7 + 154 });
  });

  it('counts every line the built producer writes, and a restarted ingest picks up the stream', async () => {
    ingest = start('ingest', env());
    const before = await stats();
    const producer = start('producer', {
      FIFO_PATH: fifo,
      COUNT: '300',
      RATE: '0',
      SEED: '7',
      CORRUPT_RATIO: '0.2',
    });
    expect(await producer.exited).toBe(0);
    const after = await eventually('all 300 producer lines to be counted', async () => {
      const s = await stats();
      return s.events + s.malformedLines === before.events + before.malformedLines + 300
        ? s
        : undefined;
    });
    expect(after.malformedLines).toBeGreaterThan(before.malformedLines);
    const types: Record<string, number> = JSON.parse(
      (await getJson('/events/countByEventType')).text,
    );
    expect(Object.values(types).reduce((a, b) => a + b, 0)).toBe(after.events);
  });

  it('counts windows by event time, and old events in the totals only', async () => {
    const now = Math.floor(Date.now() / 1000);
    const line = (type: string, t: number) =>
      JSON.stringify({ event_type: type, data: type, timestamp: t });
    await writeToFifo(
      Buffer.from(
        [
          line('w-now', now),
          line('w-30', now - 30),
          line('w-120', now - 120),
          line('w-old', now - 4000),
        ].join('\n') + '\n',
      ),
    );
    const ours = (text: string) =>
      Object.fromEntries(
        Object.entries(JSON.parse(text) as Record<string, number>).filter(([k]) =>
          k.startsWith('w-'),
        ),
      );
    await eventually('the window lines to be counted', async () =>
      ours((await getJson('/events/countByEventType')).text)['w-old'] === 1 ? true : undefined,
    );
    expect(ours((await getJson('/events/countByEventType?window=60')).text)).toEqual({
      'w-now': 1,
      'w-30': 1,
    });
    expect(ours((await getJson('/events/countWords?window=3600')).text)).toEqual({
      'w-now': 1,
      'w-30': 1,
      'w-120': 1,
    });
    expect(ours((await getJson('/events/countByEventType')).text)).toEqual({
      'w-now': 1,
      'w-30': 1,
      'w-120': 1,
      'w-old': 1,
    });
    const tooLong = await getJson('/events/countWords?window=3601');
    expect(tooLong.status).toBe(400);
    expect(JSON.parse(tooLong.text).error).toMatch(/3600/);
  });

  it.each([
    ['ingest', { REDIS_URL: 'redis//x' }, /^ingest: invalid REDIS_URL "redis\/\/x": /],
    ['api', { PORT: '70000' }, /^api: invalid PORT "70000": /],
    ['producer', { RATE: 'abc' }, /^producer: invalid RATE "abc": /],
    ['ingest', { KEY_PREFIX: '' }, /^ingest: invalid KEY_PREFIX "": /],
  ] as const)(
    '%s refuses an invalid setting with one clear line and exit 1',
    async (app, bad, pattern) => {
      const proc = start(app, { ...env(), ...bad });
      expect(await proc.exited).toBe(1);
      expect(proc.stderr().trim().split('\n')).toHaveLength(1);
      expect(proc.stderr()).toMatch(pattern);
    },
  );

  it('ingest refuses a FIFO_PATH that exists and is not a FIFO', async () => {
    const proc = start('ingest', { ...env(), FIFO_PATH: dir });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toMatch(/^ingest: invalid FIFO_PATH /);
  });
});
