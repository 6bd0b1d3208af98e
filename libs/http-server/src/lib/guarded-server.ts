import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { answerJsonError, rawJsonError } from './json-answers';
import { originForm } from './request-target';

/** What one server accepts; every value is a bound a client cannot push past. */
export interface ServerLimits {
  /** Longest wait for a request's head (request line + headers), ms: a slow sender gets 408. */
  readonly headersTimeoutMs: number;
  /**
   * Longest wait for a whole request (head and body), ms, then 408. It bounds receiving only:
   * an answer that lasts (a Server-Sent Events stream) is never cut by it.
   */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long, ms. */
  readonly keepAliveTimeoutMs: number;
  /** Connections open at once; node closes any further one as soon as it is accepted. */
  readonly maxConnections: number;
  /** Largest request head in bytes; past it the answer is 431. */
  readonly maxHeaderBytes: number;
  /** How often node checks the two timeouts, ms: each may be overrun by up to this much. */
  readonly timeoutCheckIntervalMs: number;
}

/** Where an error was caught: out of the request listener, or the server itself (accept). */
export interface GuardedErrorContext {
  readonly event: 'request' | 'server';
  readonly method?: string;
  readonly url?: string;
}

export interface GuardedServerOptions {
  readonly limits: ServerLimits;
  /** The methods the server answers: the `Allow` header of the 405 a CONNECT gets. */
  readonly allowedMethods: readonly string[];
  /**
   * An exception out of the request listener (the client got a 500 JSON, or its connection
   * was cut when the answer had begun), or a server error once listening (EMFILE on accept):
   * log it. Never thrown further, so neither can end the process.
   */
  readonly onError: (error: unknown, context: GuardedErrorContext) => void;
}

/** A request listener that may be async: a rejection is caught like a throw. */
export type GuardedListener = (req: IncomingMessage, res: ServerResponse) => unknown;

/** After answering a request node's parser rejected, the socket is cut this long after. */
const CLIENT_ERROR_LINGER_MS = 1000;

/**
 * A `node:http` server (not listening yet) that no request can crash and that answers
 * everything in JSON, `{"error": "…"}` for errors (SPEC §4):
 * - the target is checked first ({@link originForm}): an unusable one (`*`, `http://[`) gets
 *   400 and never reaches `listener`, and an absolute-form one reaches it as its path and
 *   query, so `listener` always sees `req.url` in origin-form;
 * - an HTTP/1.1 request without `Host` gets 400, an unsupported `Expect` 417, a CONNECT 405;
 * - a request node's parser rejects (malformed, a NUL byte, a head over `maxHeaderBytes`, too
 *   slow) gets 400, 431 or 408 on the raw socket (`clientError`), unless an answer on that
 *   connection has already begun (then the connection is cut: a second answer would corrupt it);
 * - an exception thrown by `listener`, or its rejected promise, becomes a 500
 *   `{"error":"internal error"}` (or a cut connection, when the answer had begun) and is
 *   passed to `onError`;
 * - the timeouts and the connection cap of `limits` are set.
 */
export function createGuardedServer(
  listener: GuardedListener,
  options: GuardedServerOptions,
): Server {
  const { limits, onError } = options;
  const allow = options.allowedMethods.join(', ');
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
      maxHeaderSize: limits.maxHeaderBytes,
      // Node's own check answers 400 with an empty body; ours answers in JSON (below).
      requireHostHeader: false,
    },
    (req, res) => {
      const unfinished = unfinishedOf(req.socket);
      unfinished.add(res);
      res.once('finish', () => unfinished.delete(res));
      res.once('close', () => unfinished.delete(res));
      const target = originForm(req.url ?? '');
      if (target === undefined) {
        answerJsonError(res, 400, 'invalid request target: expected a path starting with /');
        return;
      }
      if (req.httpVersion === '1.1' && req.headers.host === undefined) {
        answerJsonError(res, 400, 'missing Host header (required in HTTP/1.1)');
        return;
      }
      req.url = target;
      const fail = (error: unknown) => {
        onError(error, { event: 'request', method: req.method, url: req.url });
        if (res.headersSent || res.writableEnded) res.destroy();
        else answerJsonError(res, 500, 'internal error');
      };
      try {
        const result = listener(req, res);
        if (isPromiseLike(result)) result.then(undefined, fail);
      } catch (error) {
        fail(error);
      }
    },
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;

  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    answerJsonError(res, 417, `unsupported Expect header: ${req.headers.expect ?? ''}`);
  });
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    const message = `method not allowed: ${req.method}; allowed: ${allow}`;
    socket.end(rawJsonError(405, message, { Allow: allow }));
    setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS).unref();
  });
  const answered = new WeakSet<Duplex>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // The parser stays in its error state and reports again for any further input: answer once.
    if (answered.has(socket)) return;
    answered.add(socket);
    const begun = [...unfinishedOf(socket)].some((res) => res.headersSent);
    if (error.code === 'ECONNRESET' || !socket.writable || begun) {
      socket.destroy();
      return;
    }
    const [status, message] = clientErrorAnswer(error, limits);
    // end, not destroy: closing a socket with unread input sends a reset, which can make the
    // client drop the answer. The rest of its input is read and ignored until it closes.
    socket.end(rawJsonError(status, message));
    setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS).unref();
  });
  server.on('error', (error) => {
    // Before listening, listenOn's caller gets the error (EADDRINUSE); after, it is an accept
    // failure (EMFILE): the server goes on, so it is only logged.
    if (server.listening) onError(error, { event: 'server' });
  });
  return server;
}

/** Status and message for a request node's HTTP parser rejected. */
export function clientErrorAnswer(
  error: NodeJS.ErrnoException,
  limits: Pick<ServerLimits, 'maxHeaderBytes'>,
): [number, string] {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, `request head too large: more than ${limits.maxHeaderBytes} bytes`];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, 'chunk extensions too large'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'request not received in time'];
    default: {
      const code = typeof error.code === 'string' && /^[A-Z_]+$/.test(error.code) ? error.code : '';
      return [400, `malformed HTTP request${code ? ` (${code})` : ''}`];
    }
  }
}

/** The answers begun on a connection and not finished yet (pipelined requests queue up). */
const unfinishedBySocket = new WeakMap<Duplex, Set<ServerResponse>>();
function unfinishedOf(socket: Duplex): Set<ServerResponse> {
  let set = unfinishedBySocket.get(socket);
  if (set === undefined) {
    set = new Set();
    unfinishedBySocket.set(socket, set);
  }
  return set;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Listens on `host:port`; rejects with the listen error (EADDRINUSE, EACCES, ENOTFOUND…). */
export async function listenOn(server: Server, port: number, host: string): Promise<void> {
  const listening = once(server, 'listening'); // rejects when 'error' comes first
  server.listen(port, host);
  await listening;
}
