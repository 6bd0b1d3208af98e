import type { Request, RequestHandler } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AnswerBodies } from './answer-bodies';
import type { LiveHub } from './dashboard/live-hub';
import type { SharedReads } from './shared-reads';

/** The route label of requests that matched no route (404s), so labels stay bounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * A registry of its own (not prom-client's global one), so that tests can build several apps
 * in one process, with the default process metrics (CPU, memory, event loop lag, GC).
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Records one request's answer into the HTTP metrics. */
export type TrackRequest = (
  req: IncomingMessage,
  res: ServerResponse,
  routeOf: () => string,
) => void;

/**
 * Registers `http_requests_total` and `http_request_duration_seconds` (labels `method`,
 * `route`, `status`) in `registry`. Returns the middleware that records them (mount it before
 * the routes; `route` is the matched route's path, `/events/stats` also for `/events/stats/`,
 * or `unmatched`, never the raw URL) and `track`, the same recording for requests answered
 * before express (the cached-answer fast path in app.ts). Call once per registry.
 */
export function httpMetrics(registry: Registry): {
  middleware: RequestHandler;
  track: TrackRequest;
} {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, matched route and status code',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to finishing its answer, in seconds',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  // One child per label set, made on first use: a request then costs no label validation or
  // hashing (prom-client does both per call). Bounded: the HTTP parser knows ~40 methods, and
  // routes and statuses are ours.
  const children = new Map<string, { inc(): void; observe(seconds: number): void }>();
  const childFor = (method: string, route: string, status: number) => {
    const key = `${method} ${status} ${route}`;
    let child = children.get(key);
    if (child === undefined) {
      const labels = { method, route, status: String(status) };
      const counter = requests.labels(labels);
      const histogram = duration.labels(labels);
      child = { inc: () => counter.inc(), observe: (seconds) => histogram.observe(seconds) };
      children.set(key, child);
    }
    return child;
  };

  const track: TrackRequest = (req, res, routeOf) => {
    const startedMs = performance.now();
    // 'close' follows 'finish' when the answer was sent, and comes alone when the client went
    // away first: one listener sees every request once.
    res.once('close', () => {
      const child = childFor(req.method ?? '', routeOf(), res.statusCode);
      child.inc();
      child.observe((performance.now() - startedMs) / 1000);
    });
  };
  const middleware: RequestHandler = (req, res, next) => {
    track(req, res, () => routeOf(req));
    next();
  };
  return { middleware, track };
}

function routeOf(req: Request): string {
  const route: unknown = (req.route as { path?: unknown } | undefined)?.path;
  return typeof route === 'string' ? route : UNMATCHED_ROUTE;
}

/**
 * Registers `api_read_answers_total` (label `source`: `redis`, `shared`, `cached`,
 * `revalidated`): how the count, stats and malformed-lines requests got their body (see
 * AnswerBodies); `api_answer_bodies`, the bodies kept in memory; `api_reads_in_flight`, the
 * different reads in Redis now (at most MAX_READS_IN_FLIGHT); and `api_reads_refused_total`,
 * requests refused with a 503 because that many were. Read at scrape time, so the request
 * path pays nothing for them.
 */
export function registerSharedReadMetrics(
  registry: Registry,
  reads: SharedReads,
  answers: AnswerBodies,
): void {
  const { counts } = reads;
  new Counter({
    name: 'api_read_answers_total',
    help: 'Count and stats answers by source: a Redis read of their own, a read shared with identical requests in flight, memory, or memory after the store was found unchanged',
    labelNames: ['source'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ source: 'redis' }, answers.counts.redis);
      this.inc({ source: 'shared' }, answers.counts.shared);
      this.inc({ source: 'cached' }, answers.counts.cached);
      this.inc({ source: 'revalidated' }, answers.counts.revalidated);
    },
  });
  scrapedGauge(
    registry,
    'api_answer_bodies',
    'Answer bodies kept in memory, reused while the store is unchanged',
    () => answers.size,
  );
  scrapedGauge(
    registry,
    'api_reads_in_flight',
    'Different reads in Redis now',
    () => reads.readsInFlight,
  );
  scrapedCounter(
    registry,
    'api_reads_refused_total',
    'Requests answered 503 because the most different reads allowed were in flight',
    () => counts.refused,
  );
}

/**
 * Registers the live stream's gauges and counters (see LiveHub): `api_live_clients`,
 * `api_live_selections`, `api_live_refused_total` (503: LIVE_MAX_CLIENTS streams open),
 * `api_live_ticks_skipped_total` (a client's queue was full) and `api_live_clients_cut_total`.
 */
export function registerLiveMetrics(registry: Registry, hub: LiveHub): void {
  const { counts } = hub;
  scrapedGauge(registry, 'api_live_clients', 'Live dashboard streams open', () => hub.clientCount);
  scrapedGauge(
    registry,
    'api_live_selections',
    'Distinct (window, top) of the open streams',
    () => hub.selectionCount,
  );
  scrapedCounter(
    registry,
    'api_live_refused_total',
    'Live streams refused with a 503: LIVE_MAX_CLIENTS were open, or shutting down',
    () => counts.refused,
  );
  scrapedCounter(
    registry,
    'api_live_ticks_skipped_total',
    'Ticks not written to a live client whose unsent data was over the bound',
    () => counts.skipped,
  );
  scrapedCounter(
    registry,
    'api_live_clients_cut_total',
    'Live clients cut after their unsent data stayed over the bound',
    () => counts.cut,
  );
}

/** A gauge without labels, read at scrape time. */
function scrapedGauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/** A counter without labels mirroring a total kept elsewhere, read at scrape time. */
function scrapedCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}
