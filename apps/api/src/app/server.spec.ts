import { once } from 'node:events';
import type { RequestListener, Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { listenOn } from '@tally/http-server';
import { rawRequest } from '@tally/http-server/testing';
import { logSink } from '../testing/harness';
import { apiServerLimits, createApiServer, REQUEST_CONNECTIONS, stopServer } from './server';

async function serve(listener: RequestListener) {
  const sink = logSink();
  const server = createApiServer(listener, { limits: apiServerLimits(10), logger: sink.logger });
  await listenOn(server, 0, '127.0.0.1');
  return { server, sink, port: (server.address() as AddressInfo).port };
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

describe('apiServerLimits', () => {
  it('leaves room for the live streams and REQUEST_CONNECTIONS more', () => {
    expect(apiServerLimits(1000)).toMatchObject({
      maxConnections: 1000 + REQUEST_CONNECTIONS,
      maxHeaderBytes: 16 * 1024,
    });
    const limits = apiServerLimits(5);
    expect(limits.headersTimeoutMs).toBeLessThanOrEqual(limits.requestTimeoutMs);
  });
});

describe('createApiServer', () => {
  it('sets the limits on the server', async () => {
    const { server } = await serve((_req, res) => res.end());
    try {
      expect(server.maxConnections).toBe(10 + REQUEST_CONNECTIONS);
      expect(server.headersTimeout).toBe(10_000);
      expect(server.requestTimeout).toBe(20_000);
      expect(server.keepAliveTimeout).toBe(5_000);
    } finally {
      await stopServer(server, { graceMs: 0 });
    }
  });

  it('logs a failing listener once, with its request, and answers 500 JSON', async () => {
    const { server, sink, port } = await serve(() => {
      throw new Error('bug');
    });
    try {
      const { answers } = await rawRequest(port, get('/x?y'));
      expect(answers[0]).toMatchObject({ status: 500, body: '{"error":"internal error"}' });
      const logged = sink.lines().filter((line) => line['msg'] === 'request failed unexpectedly');
      expect(logged).toEqual([
        expect.objectContaining({ method: 'GET', url: '/x?y', err: expect.anything() }),
      ]);
    } finally {
      await stopServer(server, { graceMs: 0 });
    }
  });
});

describe('stopServer', () => {
  it('lets a request in flight finish, ends the streams and closes idle connections at once', async () => {
    let streamsClosed = 0;
    const { server, port } = await serve((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('{"slow":true}'), 300);
      else res.end('{}');
    });
    // An idle keep-alive connection: answered once, then left open by the client.
    const idle = connect(port, '127.0.0.1');
    idle.write(get('/'));
    await once(idle, 'data');
    const idleClosed = once(idle, 'close');
    const slow = rawRequest(port, get('/slow'));
    await waitForConnections(server, 2);
    const started = performance.now();
    const stopped = stopServer(server, { graceMs: 10_000, closeStreams: () => streamsClosed++ });
    await idleClosed;
    expect((await slow).answers[0]).toMatchObject({ status: 200, body: '{"slow":true}' });
    await stopped;
    expect(performance.now() - started).toBeLessThan(5_000); // not the grace period
    expect(streamsClosed).toBe(1);
    expect(server.listening).toBe(false);
  });

  it('cuts what is still open after the grace period', async () => {
    const { server, port } = await serve(() => undefined); // never answers
    const stuck = rawRequest(port, get('/stuck'), { untilClose: true });
    await waitForConnections(server, 1);
    await stopServer(server, { graceMs: 200 });
    expect(await stuck).toMatchObject({ answers: [], closed: true });
  });

  it('does nothing for a server that is not listening', async () => {
    const { server } = await serve(() => undefined);
    await stopServer(server, { graceMs: 0 });
    await expect(stopServer(server, { graceMs: 0 })).resolves.toBeUndefined();
  });
});

/** Polls the server's connection count (a connect is counted a moment after it returns). */
async function waitForConnections(server: Server, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const count = await new Promise<number>((resolve) =>
      server.getConnections((_e, c) => resolve(c)),
    );
    if (count >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${count} of ${n} connections`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
