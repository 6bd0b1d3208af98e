/**
 * Helpers for the api's integration tests: real sockets on 127.0.0.1, no fakes. Not imported
 * by main.ts, so never bundled.
 */
import { once } from 'node:events';
import type { RequestListener, Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { ServerLimits } from '@tally/http-server';
import { watchOrigin } from '@tally/testing';
import { pino, type Logger } from 'pino';
import { DEFAULTS } from '../app/config';
import { apiServerLimits, createApiServer } from '../app/server';

export interface Running {
  readonly port: number;
  close(): Promise<void>;
}

export interface RunningHttp extends Running {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
}

export interface EphemeralServerOptions {
  /** The server's limits; by default the api's own (apiServerLimits). */
  readonly limits?: ServerLimits;
  /** Where the server logs an unexpected error; by default nowhere. */
  readonly logger?: Logger;
}

/**
 * Serves `app` on an ephemeral port of 127.0.0.1 until `close()`, on the server main.ts uses
 * (createApiServer: the guarded server with the api's limits), so tests see what clients see.
 * Every answer a test fetches from it is checked against the OpenAPI description
 * (contract-setup.ts).
 */
export async function listenOnEphemeralPort(
  app: RequestListener,
  options: EphemeralServerOptions = {},
): Promise<RunningHttp> {
  const server: Server = createApiServer(app, {
    limits: options.limits ?? apiServerLimits(DEFAULTS.LIVE_MAX_CLIENTS),
    logger: options.logger ?? pino({ level: 'silent' }),
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  watchOrigin(baseUrl); // its answers are checked against the OpenAPI description
  return {
    port,
    baseUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // fetch keeps connections alive
      }),
  };
}

/** A TCP port of 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A TCP server that accepts connections and answers each RESP command with `reply(command)`,
 * or never when it returns undefined. `() => undefined` is a Redis that accepts and never
 * answers (a paused or black-holed server), the case `commandTimeout` exists for. `port` 0
 * picks a free one; pass an old server's port to bring "Redis" back where the client expects it.
 */
export async function scriptedRespServer(
  reply: (command: string[]) => string | undefined,
  port = 0,
): Promise<Running> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      let parsed: { command: string[]; rest: string } | undefined;
      while ((parsed = parseRespCommand(pending))) {
        pending = parsed.rest;
        const answer = reply(parsed.command);
        if (answer !== undefined) socket.write(answer);
      }
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    /** Stops listening and drops every connection, as a Redis that goes down. */
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One RESP array of bulk strings (what clients send) from the start of `text`, if complete. */
function parseRespCommand(text: string): { command: string[]; rest: string } | undefined {
  const header = /^\*(\d+)\r\n/.exec(text);
  if (!header) return undefined;
  let at = header[0].length;
  const command: string[] = [];
  for (let i = 0; i < Number(header[1]); i++) {
    const bulk = /^\$(\d+)\r\n/.exec(text.slice(at));
    if (!bulk) return undefined;
    const start = at + bulk[0].length;
    const end = start + Number(bulk[1]);
    if (text.length < end + 2) return undefined;
    command.push(text.slice(start, end));
    at = end + 2;
  }
  return { command, rest: text.slice(at) };
}

/**
 * Replies of a minimal healthy Redis: the client's handshake (CLIENT SETINFO/SETNAME, the INFO
 * ready check) and PING. Anything else gets no answer.
 */
export function handshakeReply([name]: string[]): string | undefined {
  switch (name.toUpperCase()) {
    case 'CLIENT':
      return '+OK\r\n';
    case 'INFO':
      return respBulk('# Server\r\nredis_version:7.0.0\r\nloading:0\r\n');
    case 'PING':
      return '+PONG\r\n';
    default:
      return undefined;
  }
}

/** A RESP bulk string reply. */
export function respBulk(text: string): string {
  return `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
}

export interface LogSink {
  readonly logger: Logger;
  /** Every line logged so far, parsed. */
  lines(): Record<string, unknown>[];
}

/** A pino logger (level debug) whose JSON lines are kept in memory, as pino's own tests do. */
export function logSink(): LogSink {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return {
    logger: pino({ level: 'debug', base: { app: 'api-test' } }, stream),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** The answer to one request, timed, with the body read as text. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly elapsedMs: number;
}

export async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, elapsedMs: Date.now() - started };
}
