import { constants, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
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
  type AppProcess,
  assertRunning,
  startApp,
  stopApp,
  workspaceRoot,
} from '@tally/app-processes';
import { checkAnswer, eventually, watchOrigin } from '@tally/testing';
import { type RawAnswer, rawRequest } from '@tally/http-server/testing';

const LOG_DIR = join(workspaceRoot, 'tmp', 'e2e-logs');
const JSON_TYPE = 'application/json; charset=utf-8';

type Server = 'api' | 'ingest';

/**
 * One hostile exchange: the bytes, and the statuses each server must answer, in order (one
 * per request; pipelined requests get several). A path the api serves and the ingest does
 * not (`/events/stats`) gives each its own status.
 */
interface Hostile {
  readonly what: string;
  readonly bytes: string | Buffer;
  readonly api: number[];
  readonly ingest: number[];
}

const req = (line: string, headers = 'Host: x\r\n', body = '') =>
  `${line}\r\n${headers}Connection: close\r\n\r\n${body}`;
const same = (what: string, bytes: string | Buffer, statuses: number[]): Hostile => ({
  what,
  bytes,
  api: statuses,
  ingest: statuses,
});

const HOSTILE: Hostile[] = [
  same('a target of http://[', req('GET http://[ HTTP/1.1'), [400]),
  same('a target of //x:99999/', req('GET //x:99999/ HTTP/1.1'), [404]),
  same('an absolute URL with port 99999', req('GET http://x:99999/health HTTP/1.1'), [400]),
  same('an absolute URL with user-info', req('GET http://u:p@x/health HTTP/1.1'), [400]),
  {
    what: 'an absolute-form target',
    bytes: req('GET http://host/events/stats HTTP/1.1'),
    api: [200],
    ingest: [404],
  },
  same('an absolute-form /health', req('GET http://host:1/health/ HTTP/1.1'), [200]),
  same('a lone % escape', req('GET /% HTTP/1.1'), [404]),
  same('a broken UTF-8 escape', req('GET /events/%E0%A4%A HTTP/1.1'), [404]),
  same('an escaped NUL', req('GET /%00 HTTP/1.1'), [404]),
  same('a query of broken escapes', req('GET /health?%E0%A4%A=% HTTP/1.1'), [200]),
  same('a raw NUL byte in the target', req('GET /a\u0000b HTTP/1.1'), [400]),
  same(
    'a raw NUL byte in a header',
    req('GET /health HTTP/1.1', 'Host: x\r\nX: a\u0000b\r\n'),
    [400],
  ),
  same('a non-ASCII byte in the target', Buffer.from(req('GET /é HTTP/1.1')), [400]),
  same(
    'a 64 KiB header',
    req('GET /health HTTP/1.1', `Host: x\r\nX: ${'a'.repeat(65536)}\r\n`),
    [431],
  ),
  same('a 20 KiB target', req(`GET /${'a'.repeat(20_000)} HTTP/1.1`), [431]),
  same('an 8 KiB target', req(`GET /${'a'.repeat(8_000)} HTTP/1.1`), [404]),
  same('a target of *', req('GET * HTTP/1.1'), [400]),
  same('OPTIONS *', req('OPTIONS * HTTP/1.1'), [400]),
  same('OPTIONS on a known path', req('OPTIONS /health HTTP/1.1'), [405]),
  same('PROPFIND', req('PROPFIND /health HTTP/1.1'), [405]),
  same('a method node does not know', req('BREW /health HTTP/1.1'), [400]),
  same('CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', [405]),
  same(
    'a body on GET',
    req('GET /health HTTP/1.1', 'Host: x\r\nContent-Length: 11\r\n', 'hello there'),
    [200],
  ),
  same(
    'a chunked body on GET',
    req(
      'GET /health HTTP/1.1',
      'Host: x\r\nTransfer-Encoding: chunked\r\n',
      '5\r\nhello\r\n0\r\n\r\n',
    ),
    [200],
  ),
  same(
    'pipelined requests, the last one closing',
    'GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n' +
      req('GET /health/?again HTTP/1.1'),
    [200, 404, 200],
  ),
  same('HTTP/1.0 without Host', 'GET /health HTTP/1.0\r\n\r\n', [200]),
  same('HTTP/1.1 without Host', 'GET /health HTTP/1.1\r\nConnection: close\r\n\r\n', [400]),
  same('a request line that is not HTTP', 'GARBAGE\r\n\r\n', [400]),
  same('an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', [400]),
  same('a header without a name', req('GET /health HTTP/1.1', 'Host: x\r\n: y\r\n'), [400]),
  same(
    'a header name with a space',
    req('GET /health HTTP/1.1', 'Host: x\r\nBad Header: y\r\n'),
    [400],
  ),
  same(
    'two different Content-Lengths',
    req('POST /health HTTP/1.1', 'Host: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n', 'ab'),
    [400],
  ),
  same(
    'an unsupported Expect',
    req('GET /health HTTP/1.1', 'Host: x\r\nExpect: teapot\r\n'),
    [417],
  ),
  same(
    'an Upgrade nobody offered',
    req('GET /health HTTP/1.1', 'Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'),
    [200],
  ),
];

/** The method and target of each request line in `bytes`, in order. */
function requestLines(bytes: string | Buffer): { method: string; url: string }[] {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
  return [...text.matchAll(/^([A-Z]+) (\S*) HTTP\/\d\.\d\r$/gm)].map((m) => ({
    method: m[1] ?? '',
    url: m[2] ?? '',
  }));
}

/**
 * Checks that `answers` are well-formed JSON answers with `statuses`, in order, and (the api's)
 * answers the OpenAPI description allows.
 */
function expectJsonAnswers(
  answers: RawAnswer[],
  statuses: number[],
  where: string,
  requests?: { method: string; url: string }[],
): void {
  expect({ where, statuses: answers.map((a) => a.status) }).toEqual({ where, statuses });
  for (const [i, answer] of answers.entries()) {
    if (requests !== undefined) {
      const { method, url } = requests[i] ?? { method: 'GET', url: '' };
      const headers = Object.fromEntries(answer.headers);
      checkAnswer({ method, url, status: answer.status, headers, body: answer.body });
    }
    expect({ where, type: answer.headers.get('content-type') }).toEqual({ where, type: JSON_TYPE });
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    if (answer.status >= 400) expect(body).toEqual({ error: expect.any(String) });
  }
}

describeWithRedis('hostile HTTP to the built api and the ingest health port', () => {
  const prefix = uniqueTestPrefix('e2e-hostile');
  const dir = mkdtempSync(join(tmpdir(), 'tally-hostile-'));
  const fifo = join(dir, 'events.fifo');
  const started: AppProcess[] = [];
  let redis: Redis;
  let api: AppProcess;
  let ingest: AppProcess;
  const ports: Record<Server, number> = { api: 0, ingest: 0 };

  const get = async (server: Server, path: string) => {
    const res = await fetch(`http://127.0.0.1:${ports[server]}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, number> };
  };
  const stats = async () => (await get('api', '/events/stats')).body;
  /** Writes `valid` events and `malformed` lines through the FIFO, and waits for them. */
  async function feed(valid: number, malformed: number): Promise<void> {
    const before = await stats();
    const lines: string[] = [];
    for (let i = 0; i < valid; i++) {
      lines.push(JSON.stringify({ event_type: 'h', data: `w${i % 7}`, timestamp: 1 }));
    }
    for (let i = 0; i < malformed; i++) lines.push('{ "Cu*S');
    const handle = await open(fifo, constants.O_WRONLY);
    try {
      await handle.write(`${lines.join('\n')}\n`);
    } finally {
      await handle.close();
    }
    const expected = {
      events: before.events + valid,
      malformedLines: before.malformedLines + malformed,
    };
    const seen = await eventually('every line to be counted', async () => {
      const s = await stats();
      return s.events + s.malformedLines >= expected.events + expected.malformedLines
        ? s
        : undefined;
    });
    expect(seen).toEqual(expected);
  }

  beforeAll(async () => {
    redis = createTestRedis();
    ports.api = await freeLocalPort();
    ports.ingest = await freeLocalPort();
    const env = { REDIS_URL: testRedisUrl(), KEY_PREFIX: prefix, READ_CACHE_MS: '0' };
    ingest = startApp(
      'ingest',
      { ...env, FIFO_PATH: fifo, HEALTH_HOST: '127.0.0.1', HEALTH_PORT: String(ports.ingest) },
      LOG_DIR,
    );
    api = startApp('api', { ...env, PORT: String(ports.api), HOST: '127.0.0.1' }, LOG_DIR);
    watchOrigin(`http://127.0.0.1:${ports.api}`);
    started.push(ingest, api);
    for (const server of ['api', 'ingest'] as const) {
      await eventually(`the ${server} to be healthy`, async () => {
        assertRunning(server === 'api' ? api : ingest);
        return (await get(server, '/health')).status === 200 ? true : undefined;
      });
    }
    await feed(10, 2);
  });

  afterAll(async () => {
    await Promise.all(started.map((proc) => stopApp(proc)));
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(
    HOSTILE.flatMap((h) =>
      (['api', 'ingest'] as const).map((server) => [h.what, server, h] as const),
    ),
  )('answers %s to the %s with well-formed JSON answers', async (what, server, hostile) => {
    const { answers, closed } = await rawRequest(ports[server], hostile.bytes, {
      untilClose: true,
    });
    const requests = server === 'api' ? requestLines(hostile.bytes) : undefined;
    expectJsonAnswers(answers, hostile[server], `${what} → ${server}`, requests);
    expect(closed).toBe(true);
    assertRunning(server === 'api' ? api : ingest);
  });

  it('still runs both processes afterwards, and counts every line written after', async () => {
    assertRunning(api);
    assertRunning(ingest);
    expect((await get('ingest', '/health')).status).toBe(200);
    await feed(250, 17);
    expect((await get('api', '/events/countByEventType')).body).toEqual({ h: 260 });
  });
});
