import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rawRequest } from '@tally/http-server/testing';
import {
  closeServer,
  createHealthServer,
  healthAnswer,
  type IngestStatus,
  listenOn,
} from './health-server';

function statusWith(overrides: Partial<IngestStatus> = {}): IngestStatus {
  return {
    redisStatus: 'ready',
    lastRedisError: undefined,
    redisFailing: false,
    readerPaused: false,
    heldKeys: 0,
    read: { events: 0, malformedLines: 0, blankLines: 0, outsideWindow: { old: 0, future: 0 } },
    stored: { batches: 0, events: 0, malformedLines: 0, duplicates: 0, failedAttempts: 0 },
    ...overrides,
  };
}

describe('healthAnswer', () => {
  it('is ok while the client is ready and writes succeed', () => {
    expect(healthAnswer(statusWith({ heldKeys: 12 }))).toEqual({
      statusCode: 200,
      body: { status: 'ok', heldKeys: 12, readerPaused: false },
    });
  });

  it('is unavailable, naming the client state and its last error, while not connected', () => {
    const answer = healthAnswer(
      statusWith({ redisStatus: 'reconnecting', lastRedisError: 'connect ECONNREFUSED' }),
    );
    expect(answer.statusCode).toBe(503);
    expect(answer.body).toMatchObject({
      status: 'unavailable',
      error: 'redis: not connected (reconnecting): connect ECONNREFUSED',
    });
  });

  it('is unavailable, saying what it waits for, while start-up is not done', () => {
    const answer = healthAnswer(statusWith({ starting: 'waiting for the lease on INGEST_ID "a"' }));
    expect(answer.statusCode).toBe(503);
    expect(answer.body.error).toBe('starting: waiting for the lease on INGEST_ID "a"');
    const away = healthAnswer(
      statusWith({ starting: 'waiting for the lease', redisStatus: 'connecting' }),
    );
    expect(away.body.error).toBe(
      'starting: waiting for the lease; redis: not connected (connecting)',
    );
  });

  it('is unavailable while batch writes fail, even with a connected client', () => {
    const answer = healthAnswer(statusWith({ redisFailing: true, readerPaused: true }));
    expect(answer.statusCode).toBe(503);
    expect(answer.body.error).toMatch(/^redis: batch writes are failing/);
    expect(answer.body.readerPaused).toBe(true);
  });
});

/** Errors the server reported to its onError, as the ingest's log would get them. */
const reported: unknown[] = [];
const onError = (error: unknown) => void reported.push(error);

describe('createHealthServer', () => {
  let server: Server;
  let base: string;
  let port: number;
  let current = statusWith();
  let statusOf: () => IngestStatus = () => current;

  beforeAll(async () => {
    server = createHealthServer(() => statusOf(), { onError });
    await listenOn(server, 0, '127.0.0.1');
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => closeServer(server));

  async function get(path: string, method = 'GET') {
    const res = await fetch(base + path, { method });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  it('answers GET /health with 200 JSON, then 503 once Redis is away', async () => {
    current = statusWith();
    const ok = await get('/health');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.parse(ok.text)).toEqual({ status: 'ok', heldKeys: 0, readerPaused: false });

    current = statusWith({ redisStatus: 'connecting' });
    const down = await get('/health/');
    expect(down.status).toBe(503);
    expect(JSON.parse(down.text)).toMatchObject({ status: 'unavailable' });
  });

  it('answers GET /metrics with Prometheus text built from the status', async () => {
    current = statusWith({
      heldKeys: 7,
      readerPaused: true,
      redisFailing: true,
      read: { events: 5, malformedLines: 2, blankLines: 1, outsideWindow: { old: 3, future: 1 } },
      stored: { batches: 3, events: 4, malformedLines: 2, duplicates: 1, failedAttempts: 6 },
    });
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    for (const line of [
      'ingest_lines_read_total{kind="event"} 5',
      'ingest_lines_read_total{kind="malformed"} 2',
      'ingest_lines_read_total{kind="blank"} 1',
      'ingest_events_outside_window_total{reason="old"} 3',
      'ingest_events_outside_window_total{reason="future"} 1',
      'ingest_events_stored_total 4',
      'ingest_malformed_lines_stored_total 2',
      'ingest_batches_committed_total 3',
      'ingest_batches_duplicate_total 1',
      'ingest_commit_failures_total 6',
      'ingest_held_keys 7',
      'ingest_reader_paused 1',
      'ingest_redis_failing 1',
      'ingest_redis_connected 1',
    ]) {
      expect(res.text.split('\n')).toContain(line);
    }
    expect(res.text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('reports counters afresh on every scrape', async () => {
    current = statusWith({ stored: { ...statusWith().stored, batches: 1 } });
    expect((await get('/metrics')).text).toContain('ingest_batches_committed_total 1\n');
    current = statusWith({ stored: { ...statusWith().stored, batches: 9 } });
    expect((await get('/metrics')).text).toContain('ingest_batches_committed_total 9\n');
  });

  it('answers HEAD without a body', async () => {
    const res = await get('/health', 'HEAD');
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
  });

  it('answers an unknown path with 404 JSON and a wrong method with 405 and Allow', async () => {
    const missing = await get('/healthz');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toHaveProperty('error');
    const wrong = await get('/health', 'POST');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
    expect(JSON.parse(wrong.text)).toHaveProperty('error');
  });

  it.each([
    ['GET http://[ HTTP/1.1', 400],
    ['GET http://x:99999/health HTTP/1.1', 400],
    ['GET * HTTP/1.1', 400],
    ['GET //x:99999/ HTTP/1.1', 404],
    ['GET /% HTTP/1.1', 404],
    ['GET /health/%E0%A4%A HTTP/1.1', 404],
    ['GET http://ingest:9464/health HTTP/1.1', 200],
    ['OPTIONS /health HTTP/1.1', 405],
  ])('answers "%s" in JSON with %i and goes on answering', async (line, status) => {
    current = statusWith();
    const { answers } = await rawRequest(port, `${line}\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(answers).toHaveLength(1);
    expect(answers[0].status).toBe(status);
    expect(answers[0].headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.parse(answers[0].body)).toEqual(
      status === 200 ? expect.objectContaining({ status: 'ok' }) : { error: expect.any(String) },
    );
    expect((await get('/health')).status).toBe(200);
  });

  it('answers malformed HTTP and an oversized head in JSON (400, 431)', async () => {
    const garbage = await rawRequest(port, 'GARBAGE\r\n\r\n');
    expect(garbage.answers[0].status).toBe(400);
    const big = await rawRequest(
      port,
      `GET /health HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(65536)}\r\n\r\n`,
    );
    expect(big.answers[0].status).toBe(431);
    for (const { answers } of [garbage, big]) {
      expect(JSON.parse(answers[0].body)).toEqual({ error: expect.any(String) });
    }
  });

  it('answers 500 JSON and reports the error when reading the status throws', async () => {
    const bug = new Error('status broke');
    statusOf = () => {
      throw bug;
    };
    try {
      const res = await get('/health');
      expect(res.status).toBe(500);
      expect(JSON.parse(res.text)).toEqual({ error: 'internal error' });
      expect(reported).toContain(bug);
    } finally {
      statusOf = () => current;
    }
    expect((await get('/health')).status).toBe(200);
  });
});

describe('listenOn', () => {
  it('rejects with EADDRINUSE when the port is taken', async () => {
    const first = createHealthServer(() => statusWith(), { onError });
    const second = createHealthServer(() => statusWith(), { onError });
    await listenOn(first, 0, '127.0.0.1');
    try {
      const { port } = first.address() as AddressInfo;
      await expect(listenOn(second, port, '127.0.0.1')).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      await closeServer(first);
    }
  });
});
