import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  createGuardedServer,
  type GuardedErrorContext,
  type ServerLimits,
} from '@tally/http-server';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { CommitterTotals } from './committer';
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

/**
 * A registry of its own (not prom-client's global one) with the default process metrics and
 * the ingest's counters and gauges. The counters mirror totals the ingest already keeps, so
 * they are set from `status` at scrape time instead of being incremented on the hot path.
 */
export function createIngestRegistry(status: () => IngestStatus): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const mirror = (name: string, help: string, value: (s: IngestStatus) => number) =>
    scrapedCounter(registers, name, help, () => value(status()));
  const gauge = (name: string, help: string, value: (s: IngestStatus) => number) =>
    scrapedGauge(registers, name, help, () => value(status()));

  new Counter({
    name: 'ingest_lines_read_total',
    help: 'Lines read from the FIFO since start, by kind: event, malformed or blank',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      const { read } = status();
      this.reset();
      this.inc({ kind: 'event' }, read.events);
      this.inc({ kind: 'malformed' }, read.malformedLines);
      this.inc({ kind: 'blank' }, read.blankLines);
    },
  });
  new Counter({
    name: 'ingest_events_outside_window_total',
    help: 'Events counted in the totals only (SPEC §3), by reason: old (older than the retention) or future (more than 300 s ahead of this clock)',
    labelNames: ['reason'] as const,
    registers,
    collect() {
      const { outsideWindow } = status().read;
      this.reset();
      this.inc({ reason: 'old' }, outsideWindow.old);
      this.inc({ reason: 'future' }, outsideWindow.future);
    },
  });
  mirror(
    'ingest_events_stored_total',
    'Valid events whose counts are in Redis',
    (s) => s.stored.events,
  );
  mirror(
    'ingest_malformed_lines_stored_total',
    'Malformed lines whose count is in Redis',
    (s) => s.stored.malformedLines,
  );
  mirror('ingest_batches_committed_total', 'Batches written to Redis', (s) => s.stored.batches);
  mirror(
    'ingest_batches_duplicate_total',
    'Retried batches that Redis had already applied (their first reply was lost)',
    (s) => s.stored.duplicates,
  );
  mirror(
    'ingest_commit_failures_total',
    'Failed batch write attempts (each one is retried with the same sequence number)',
    (s) => s.stored.failedAttempts,
  );
  gauge(
    'ingest_held_keys',
    'Distinct keys held in memory, pending and in flight',
    (s) => s.heldKeys,
  );
  gauge(
    'ingest_reader_paused',
    '1 while MAX_PENDING_KEYS keys are held and the FIFO is not read (backpressure)',
    (s) => Number(s.readerPaused),
  );
  gauge('ingest_redis_failing', '1 while batch writes fail and are being retried', (s) =>
    Number(s.redisFailing),
  );
  if (status().stream !== undefined) registerStreamMetrics(registry, status);
  gauge('ingest_redis_connected', '1 while the Redis client is connected and ready', (s) =>
    Number(s.redisStatus === 'ready'),
  );
  return registry;
}

/** TRANSPORT=redis-stream: the group's lag (shared by all replicas) and this replica's work. */
function registerStreamMetrics(registry: Registry, status: () => IngestStatus): void {
  const registers = [registry];
  const stream = (): StreamStatus =>
    status().stream ?? { acked: 0, claimed: 0, countedElsewhere: 0 };
  const counters: [string, string, (s: StreamStatus) => number][] = [
    [
      'ingest_stream_entries_acked_total',
      'Stream entries this replica counted and acked',
      (s) => s.acked,
    ],
    [
      'ingest_stream_entries_claimed_total',
      'Idle entries this replica took over from another consumer',
      (s) => s.claimed,
    ],
    [
      'ingest_stream_entries_counted_elsewhere_total',
      'Entries this replica read that another consumer had counted first',
      (s) => s.countedElsewhere,
    ],
  ];
  for (const [name, help, value] of counters) {
    scrapedCounter(registers, name, help, () => value(stream()));
  }
  // NaN until the first measurement: "unknown" is not "0 behind".
  const gauges: [string, string, (s: StreamStatus) => number | undefined][] = [
    [
      'ingest_stream_length_entries',
      'Entries in the stream (XLEN, after trimming)',
      (s) => s.length,
    ],
    [
      'ingest_stream_pending_entries',
      'Entries read by a consumer of the group and not acked yet',
      (s) => s.pending,
    ],
    [
      'ingest_stream_undelivered_entries',
      'Entries no consumer of the group has read yet (XINFO GROUPS lag)',
      (s) => s.undelivered,
    ],
    [
      'ingest_stream_lag_entries',
      'Entries not counted yet: pending + undelivered',
      (s) =>
        s.pending === undefined || s.undelivered === undefined
          ? undefined
          : s.pending + s.undelivered,
    ],
  ];
  for (const [name, help, value] of gauges) {
    scrapedGauge(registers, name, help, () => value(stream()) ?? Number.NaN);
  }
}

/** A counter that mirrors a total the ingest keeps, read at scrape time (nothing on the hot path). */
function scrapedCounter(registers: Registry[], name: string, help: string, read: () => number) {
  return new Counter({
    name,
    help,
    registers,
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/** A gauge read at scrape time. */
function scrapedGauge(registers: Registry[], name: string, help: string, read: () => number) {
  return new Gauge({
    name,
    help,
    registers,
    collect() {
      this.set(read());
    },
  });
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
