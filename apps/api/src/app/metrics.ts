import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

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

/**
 * Registers `http_requests_total` and `http_request_duration_seconds` (labels `method`,
 * `route`, `status`) in `registry` and returns the middleware that records them; mount it
 * before the routes. `route` is the matched route's path (`/events/stats` also for
 * `/events/stats/`) or `unmatched`, never the raw URL. Call once per registry.
 */
export function httpMetricsMiddleware(registry: Registry): RequestHandler {
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

  return (req, res, next) => {
    const endTimer = duration.startTimer();
    let recorded = false;
    const record = () => {
      // 'finish' when the answer was sent, 'close' alone when the client went away first.
      if (recorded) return;
      recorded = true;
      const route: unknown = (req.route as { path?: unknown } | undefined)?.path;
      const labels = {
        method: req.method,
        route: typeof route === 'string' ? route : UNMATCHED_ROUTE,
        status: String(res.statusCode),
      };
      requests.inc(labels);
      endTimer(labels);
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}
