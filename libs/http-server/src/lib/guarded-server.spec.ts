import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { rawRequest } from '../testing';
import {
  createGuardedServer,
  type GuardedErrorContext,
  type GuardedListener,
  listenOn,
  type ServerLimits,
} from './guarded-server';

const LIMITS: ServerLimits = {
  headersTimeoutMs: 300,
  requestTimeoutMs: 400,
  keepAliveTimeoutMs: 5000,
  maxConnections: 50,
  maxHeaderBytes: 16 * 1024,
  timeoutCheckIntervalMs: 50,
};

const JSON_TYPE = 'application/json; charset=utf-8';

/** A guarded server on 127.0.0.1 whose listener the test sets; the errors it reported. */
async function start(limits: ServerLimits = LIMITS) {
  const errors: { error: unknown; context: GuardedErrorContext }[] = [];
  let handle: GuardedListener = (req, res) => {
    res.setHeader('Content-Type', JSON_TYPE);
    res.end(JSON.stringify({ url: req.url, method: req.method }));
  };
  const server = createGuardedServer((req, res) => handle(req, res), {
    limits,
    allowedMethods: ['GET', 'HEAD'],
    onError: (error, context) => errors.push({ error, context }),
  });
  await listenOn(server, 0, '127.0.0.1');
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    errors,
    setListener: (listener: GuardedListener) => (handle = listener),
    send: (raw: string | Buffer, options?: Parameters<typeof rawRequest>[2]) =>
      rawRequest(port, raw, options),
  };
}

async function close(server: Server): Promise<void> {
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  await closed;
}

const get = (target: string, extra = '') =>
  `GET ${target} HTTP/1.1\r\nHost: x\r\n${extra}Connection: close\r\n\r\n`;

describe('createGuardedServer', () => {
  let s: Awaited<ReturnType<typeof start>>;
  beforeEach(async () => {
    s = await start();
  });
  afterEach(() => close(s.server));

  /** The one answer to `raw`: its status and parsed JSON body, and that it is JSON. */
  async function answerTo(raw: string | Buffer) {
    const { answers } = await s.send(raw);
    expect(answers).toHaveLength(1);
    const [answer] = answers;
    expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
    return { status: answer.status, body: JSON.parse(answer.body) as Record<string, unknown> };
  }

  it('passes an origin-form target to the listener as it is', async () => {
    expect(await answerTo(get('//x:99999/?q=%'))).toEqual({
      status: 200,
      body: { url: '//x:99999/?q=%', method: 'GET' },
    });
  });

  it('passes an absolute-form target to the listener as its path and query', async () => {
    expect((await answerTo(get('http://host:5000/events/stats?top=1'))).body).toEqual({
      url: '/events/stats?top=1',
      method: 'GET',
    });
  });

  it.each([['*'], ['http://['], ['http://x:99999/'], ['http://u@x/'], ['ftp://x/a']])(
    'answers the target %p with 400 JSON without calling the listener',
    async (target) => {
      let called = false;
      s.setListener(() => (called = true));
      const answer = await answerTo(get(target));
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/^invalid request target/);
      expect(called).toBe(false);
    },
  );

  it('answers an HTTP/1.1 request without Host with 400 JSON, and serves HTTP/1.0 without one', async () => {
    const missing = await answerTo('GET / HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(missing).toEqual({
      status: 400,
      body: { error: 'missing Host header (required in HTTP/1.1)' },
    });
    expect((await answerTo('GET /old HTTP/1.0\r\n\r\n')).body).toEqual({
      url: '/old',
      method: 'GET',
    });
  });

  it.each([
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n', 400],
    ['a NUL byte in the target', 'GET /a\u0000b HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['a NUL byte in a header', 'GET / HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n', 400],
    ['a non-ASCII byte in the target', Buffer.from('GET /é HTTP/1.1\r\nHost: x\r\n\r\n'), 400],
    [
      'both Content-Length and Transfer-Encoding',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
    ],
    ['a 64 KiB header', `GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(65536)}\r\n\r\n`, 431],
    ['a 64 KiB target', `GET /${'a'.repeat(65536)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 400],
  ])('answers %s (rejected by the parser) in JSON and closes', async (_what, raw, status) => {
    const { answers, closed } = await s.send(raw, { untilClose: true });
    expect(answers).toHaveLength(1);
    expect(answers[0].status).toBe(status);
    expect(answers[0].headers.get('content-type')).toBe(JSON_TYPE);
    expect(answers[0].headers.get('connection')).toBe('close');
    expect(JSON.parse(answers[0].body)).toEqual({ error: expect.any(String) });
    expect(closed).toBe(true);
  });

  it('answers CONNECT with 405 JSON and Allow', async () => {
    const { answers } = await s.send('CONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(answers[0].status).toBe(405);
    expect(answers[0].headers.get('allow')).toBe('GET, HEAD');
    expect(JSON.parse(answers[0].body)).toEqual({
      error: 'method not allowed: CONNECT; allowed: GET, HEAD',
    });
  });

  it('answers an unsupported Expect with 417 JSON', async () => {
    expect(await answerTo(get('/', 'Expect: teapot\r\n'))).toEqual({
      status: 417,
      body: { error: 'unsupported Expect header: teapot' },
    });
  });

  it('answers a head that arrives too slowly with 408 JSON', async () => {
    const { answers, closed } = await s.send('GET / HTTP/1.1\r\nHost: x\r\n', {
      timeoutMs: 3000,
      untilClose: true,
    });
    expect(answers.map((a) => a.status)).toEqual([408]);
    expect(JSON.parse(answers[0].body)).toEqual({ error: 'request not received in time' });
    expect(closed).toBe(true);
  });

  it('turns a throwing listener into a 500 JSON, reports it, and goes on serving', async () => {
    const bug = new TypeError('x is not a function');
    s.setListener(() => {
      throw bug;
    });
    expect(await answerTo(get('/boom'))).toEqual({
      status: 500,
      body: { error: 'internal error' },
    });
    expect(s.errors).toEqual([
      { error: bug, context: { event: 'request', method: 'GET', url: '/boom' } },
    ]);
    s.setListener((_req, res) => res.end('{}'));
    expect((await s.send(get('/'))).answers[0].status).toBe(200);
  });

  it('turns a rejected listener promise into a 500 JSON', async () => {
    s.setListener(async () => {
      await Promise.resolve();
      throw new Error('async bug');
    });
    expect((await answerTo(get('/later'))).status).toBe(500);
    expect(s.errors.map((e) => (e.error as Error).message)).toEqual(['async bug']);
  });

  it('cuts the connection when the listener fails after its answer began', async () => {
    s.setListener(async (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': '100' });
      res.write('{"partial":');
      await Promise.resolve();
      throw new Error('mid-answer');
    });
    const { answers, closed } = await s.send(get('/half'));
    expect(answers).toEqual([]); // never a second status line after the first
    expect(closed).toBe(true);
    expect(s.errors).toHaveLength(1);
  });

  it('answers each of several pipelined requests in order', async () => {
    const raw =
      'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2?a HTTP/1.1\r\nHost: x\r\n\r\n' + get('/3');
    const { answers, closed } = await s.send(raw, { untilClose: true });
    expect(answers.map((a) => JSON.parse(a.body).url)).toEqual(['/1', '/2?a', '/3']);
    expect(closed).toBe(true);
  });

  it('answers HEAD without a body', async () => {
    const { answers } = await s.send('HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n', { noBody: true });
    expect(answers).toMatchObject([{ status: 200, body: '' }]);
  });

  it('reports a server error once listening instead of throwing it', () => {
    const error = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' });
    expect(() => s.server.emit('error', error)).not.toThrow();
    expect(s.errors).toEqual([{ error, context: { event: 'server' } }]);
  });
});

describe('createGuardedServer limits', () => {
  it('never cuts a long answer with requestTimeout: it bounds receiving only', async () => {
    const s = await start();
    try {
      s.setListener((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        let sent = 0;
        const timer = setInterval(() => {
          res.write(`${++sent}\n`);
          if (sent === 12) {
            clearInterval(timer);
            res.end();
          }
        }, 100); // 1.2 s: three times requestTimeout, with no byte from the client meanwhile
      });
      const socket = connect(s.port, '127.0.0.1');
      socket.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      await new Promise<void>((resolve, reject) => {
        socket.on('error', reject);
        const check = setInterval(() => {
          if (text.includes('\r\n0\r\n\r\n')) {
            clearInterval(check);
            resolve();
          }
        }, 20);
        socket.on('close', () => {
          clearInterval(check);
          reject(new Error(`closed early: ${JSON.stringify(text)}`));
        });
      });
      socket.destroy();
      expect(text).toMatch(/^HTTP\/1\.1 200/);
      expect(text).toContain('\r\n3\r\n12\n\r\n');
    } finally {
      await close(s.server);
    }
  });

  it('closes connections past maxConnections at once, and serves again below it', async () => {
    const s = await start({
      ...LIMITS,
      maxConnections: 2,
      headersTimeoutMs: 5000,
      requestTimeoutMs: 5000,
    });
    const held = [connect(s.port, '127.0.0.1'), connect(s.port, '127.0.0.1')];
    try {
      await Promise.all(held.map((socket) => once(socket, 'connect')));
      // Both accepted before the third arrives: poll the server's own count.
      for (let i = 0; i < 200; i++) {
        const count = await new Promise<number>((resolve) =>
          s.server.getConnections((_e, n) => resolve(n)),
        );
        if (count === 2) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const refused = await s.send(get('/third'));
      expect(refused).toMatchObject({ answers: [], closed: true });
    } finally {
      for (const socket of held) socket.destroy();
    }
    try {
      await eventuallyAnswered(() => s.send(get('/again')));
    } finally {
      await close(s.server);
    }
  });
});

/** Retries `send` until it gets an answer (the held sockets take a moment to be counted out). */
async function eventuallyAnswered(send: () => ReturnType<typeof rawRequest>): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const { answers } = await send();
    if (answers.length === 1) {
      expect(answers[0].status).toBe(200);
      return;
    }
    if (Date.now() > deadline) throw new Error('no answer below maxConnections');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
