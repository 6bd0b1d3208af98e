import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  createGuardedServer,
  type GuardedErrorContext,
  type ServerLimits,
} from '@tally/http-server';
import type { Registry } from 'prom-client';
import type { CommitterTotals } from './commit/committer';
import { createIngestRegistry } from './ingest-metrics';
import type { LineTotals } from './line-counter';

/** What `/health` and `/metrics` report; read afresh for every request, so keep it cheap. */
export interface IngestStatus {
  /** Set while start-up is not done (waiting for the id's lease): what it waits for. */
  readonly starting?: string;
  /** The Redis client's state (ioredis `status`): writes can be sent only when `'ready'`. */
  readonly redisStatus: string;
  /** The last connection error the client reported, if any since it was last ready. */
  readonly lastRedisError: string | undefined;
  /** True while the batch in flight keeps failing and is being retried. */
  readonly redisFailing: boolean;
  /** Why the last write attempt failed, while `redisFailing`. */
  readonly lastWriteError?: string;
  /** True while the ingest does not read the FIFO (MAX_PENDING_KEYS held, or shutting down). */
  readonly readerPaused: boolean;
  /** Distinct keys held in memory, pending and in flight. */
  readonly heldKeys: number;
  /** Lines read since start. */
  readonly read: Readonly<LineTotals>;
  /** What has reached Redis since start. */
  readonly stored: Readonly<CommitterTotals>;
  /** TRANSPORT=redis-stream only: this replica's entries and the stream's last measurement. */
  readonly stream?: StreamStatus;
}

export interface StreamStatus {
  readonly acked: number;
  readonly claimed: number;
  readonly countedElsewhere: number;
  /** Undefined until the first measurement (every second). */
  readonly length?: number;
  readonly pending?: number;
  readonly undelivered?: number;
}

export interface HealthAnswer {
  readonly statusCode: 200 | 503;
  readonly body: {
    readonly status: 'ok' | 'unavailable';
    readonly error?: string;
    readonly heldKeys: number;
    readonly readerPaused: boolean;
  };
}

/**
 * `/health` for `status`: 503 while counts cannot reach Redis (the client is not connected,
 * or writes fail and are being retried), else 200. Read by a supervisor or a load test; the
 * counts read meanwhile are held (bounded), not lost.
 */
export function healthAnswer(status: IngestStatus): HealthAnswer {
  const { heldKeys, readerPaused } = status;
  let error: string | undefined;
  if (status.redisStatus !== 'ready') {
    const cause = status.lastRedisError ? `: ${status.lastRedisError}` : '';
    error = `redis: not connected (${status.redisStatus})${cause}`;
  } else if (status.redisFailing) {
    const cause = status.lastWriteError ? ` (${status.lastWriteError})` : '';
    error = `redis: batch writes are failing${cause}; retrying the same batch`;
  }
  if (status.starting !== undefined) {
    error = `starting: ${status.starting}${error === undefined ? '' : `; ${error}`}`;
  }
  if (error === undefined) {
    return { statusCode: 200, body: { status: 'ok', heldKeys, readerPaused } };
  }
  return { statusCode: 503, body: { status: 'unavailable', error, heldKeys, readerPaused } };
}

const JSON_TYPE = 'application/json; charset=utf-8';
const ALLOW = 'GET, HEAD';

function send(
  req: IncomingMessage,
  res: ServerResponse,
  statusCode: number,
  type: string,
  body: string,
): void {
  res.writeHead(statusCode, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendJson(req: IncomingMessage, res: ServerResponse, statusCode: number, body: unknown) {
  send(req, res, statusCode, JSON_TYPE, JSON.stringify(body));
}

/**
 * `/health` and `/metrics`, with one trailing slash accepted (as the api does). `target` is
 * in origin-form (the guarded server saw to that), so this is plain string work: it cannot
 * throw, whatever the path (`//x:99999/` is a path like any other, and matches nothing).
 */
function routeOf(target: string): 'health' | 'metrics' | undefined {
  const query = target.indexOf('?');
  const path = (query === -1 ? target : target.slice(0, query)).replace(/(.)\/$/, '$1');
  if (path === '/health') return 'health';
  if (path === '/metrics') return 'metrics';
  return undefined;
}

/**
 * What the health server accepts (see `ServerLimits`): scrapes and probes are small, quick and
 * few, so the bounds are tight. A header block over 16 KiB gets 431, a request not received
 * within 5 s (its head) or 10 s (in all) gets 408, and past 64 open connections a new one is
 * closed at once.
 */
export const HEALTH_SERVER_LIMITS: ServerLimits = Object.freeze({
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 64,
  maxHeaderBytes: 16 * 1024,
  timeoutCheckIntervalMs: 1_000,
});

export interface HealthServerOptions {
  /** Where `/metrics` comes from; by default {@link createIngestRegistry} of `status`. */
  readonly registry?: Registry;
  /** An unexpected error in a request or in the server (answered 500, never thrown): log it. */
  readonly onError: (error: unknown, context: GuardedErrorContext) => void;
  readonly limits?: ServerLimits;
}

/**
 * The ingest's own HTTP server (node:http, not listening yet): `GET /health` (see
 * {@link healthAnswer}), `GET /metrics` (Prometheus text of {@link createIngestRegistry}),
 * 404 JSON for other paths and 405 JSON with `Allow` for other methods. It reads the ingest
 * only through `status`, so it knows nothing of the FIFO, the committer or Redis. Built on
 * `createGuardedServer`: no request can crash the ingest (a bad target is a 400, malformed
 * HTTP a JSON 400/431/408, a failure in here a 500), and the limits above hold.
 */
export function createHealthServer(
  status: () => IngestStatus,
  options: HealthServerOptions,
): Server {
  const metrics = options.registry ?? createIngestRegistry(status);
  return createGuardedServer(
    async (req, res) => {
      const route = routeOf(req.url ?? '/');
      if (route === undefined) {
        return sendJson(req, res, 404, { error: `no route for ${req.method} ${req.url}` });
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', ALLOW);
        return sendJson(req, res, 405, { error: `${req.method} is not allowed; use ${ALLOW}` });
      }
      if (route === 'health') {
        const answer = healthAnswer(status());
        return sendJson(req, res, answer.statusCode, answer.body);
      }
      let text: string;
      try {
        text = await metrics.metrics();
      } catch (error) {
        return sendJson(req, res, 500, { error: `metrics failed: ${(error as Error).message}` });
      }
      send(req, res, 200, metrics.contentType, text);
    },
    {
      limits: options.limits ?? HEALTH_SERVER_LIMITS,
      allowedMethods: ['GET', 'HEAD'],
      onError: options.onError,
    },
  );
}

/** Listens on `host:port`; rejects with the listen error (EADDRINUSE, EACCES, ENOTFOUND…). */
export { listenOn } from '@tally/http-server';

/** Stops accepting, cuts open connections (scrapes are short) and resolves once closed. */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  await closed;
}
