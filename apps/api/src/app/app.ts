import {
  type CountKind,
  type KeyLayout,
  readCounts,
  readEventsPerSecond,
  readGeneration,
  readMalformed,
  readStats,
} from '@tally/aggregation';
import express, { type Request, type RequestHandler, type Response } from 'express';
import type { RequestListener, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { AnswerBodies } from './answer-bodies';
import { answerFor, writeAnswer } from './answer-response';
import { DEFAULTS } from './config';
import { withDeadline } from './deadline';
import {
  errorHandler,
  methodNotAllowed,
  notFound,
  redisFailureReason,
  toHttpError,
} from './errors';
import { createFastPath } from './fast-path';
import { countsToJson, malformedToJson } from './json-counts';
import { sendJson } from './json-response';
import {
  createMetricsRegistry,
  httpMetrics,
  registerLiveMetrics,
  registerSharedReadMetrics,
} from './metrics';
import { parseCountParams, toCountQuery } from './query';
import { redisDrained } from './redis-drained';
import {
  answerEtag,
  countReadKey,
  MALFORMED_READ_KEY,
  READ_ROUTES,
  type ReadKind,
  STATS_READ_KEY,
} from './read-routes';
import { SharedReads } from './shared-reads';
import { type LiveCounts, LiveHub, type LiveStats, selectionKey } from './dashboard/live-hub';
import { mountDashboard } from './dashboard/routes';
import { mountReference } from './docs/routes';

/**
 * Longest a request waits for Redis, in ms. Each command is also bounded by the client's
 * `commandTimeout` (redis-client.ts); this bounds a whole request (a windowed read may take
 * several commands) so that SPEC §4's "503 within 2 seconds" holds with room to spare.
 */
export const READ_DEADLINE_MS = 1500;
/** /health's own, shorter deadline for its PING. */
export const HEALTH_DEADLINE_MS = 1000;

const ALLOWED_METHODS = ['GET', 'HEAD'] as const;

export interface AppOptions {
  /** A client that fails fast when Redis is away (see createRedisClient). */
  readonly redis: Redis;
  readonly keys: KeyLayout;
  /** WINDOW_RETENTION_S: the largest `window` accepted. */
  readonly retentionSeconds: number;
  readonly logger: Logger;
  /** The server clock in whole Unix seconds; injectable for tests. */
  readonly now?: () => number;
  /** Where the HTTP metrics go; a fresh registry with the default metrics when omitted. */
  readonly registry?: Registry;
  /**
   * Single-flight and micro-cache of the count and stats reads; by default one with
   * READ_CACHE_MS's default. Injectable for tests (a clock of their own) and for the setting.
   */
  readonly sharedReads?: SharedReads;
  /** Time between the dashboard's live ticks (`/events/live`), in ms. */
  readonly liveTickMs?: number;
  /** LIVE_MAX_CLIENTS: dashboard streams open at once; default DEFAULTS.LIVE_MAX_CLIENTS. */
  readonly liveMaxClients?: number;
}

/**
 * What a typed live read (totals, a rates line, a selection's counts) counts against the cache's
 * byte bound: they are small next to a full word list's body, and one per tick and selection.
 */
const LIVE_VALUE_BYTES = 64 * 1024;

/** Default time between the dashboard's live ticks, in ms. */
export const LIVE_TICK_MS = 1000;

const systemClockSeconds = () => Math.floor(Date.now() / 1000);

/** The api, not listening yet. */
export interface ApiApp {
  /** The request listener for `http.createServer` (createApiServer). */
  readonly listener: RequestListener;
  /** Ends the dashboard streams (browsers reconnect elsewhere); the server's stop calls it. */
  readonly close: () => void;
  /** The dashboard's live hub, for /metrics and for tests to observe. */
  readonly live: LiveHub;
  /** Every path the app answers (GET and HEAD), as declared: the OpenAPI file must list them. */
  readonly paths: readonly string[];
  /** The count, stats and malformed-lines bodies, for /metrics and for tests to observe. */
  readonly answers: AnswerBodies;
}

/**
 * The HTTP API of SPEC §4: an express app behind a fast path for answers already in the
 * micro-cache (fast-path.ts), both serving the one list READ_ROUTES. Every answer is JSON
 * except /metrics and the dashboard's; every error goes through the one error middleware
 * mounted last.
 */
export function createApp(options: AppOptions): ApiApp {
  const { redis, keys, retentionSeconds, logger } = options;
  const now = options.now ?? systemClockSeconds;
  const registry = options.registry ?? createMetricsRegistry();
  const reads = options.sharedReads ?? new SharedReads({ cacheMs: DEFAULTS.READ_CACHE_MS });
  const shareOptions = { waitMs: READ_DEADLINE_MS, drained: () => redisDrained(redis) };
  const answers = new AnswerBodies({
    reads,
    readGeneration: () => readGeneration(redis, keys),
    share: shareOptions,
    etagOf: answerEtag,
  });
  registerSharedReadMetrics(registry, reads, answers);

  const app = express();
  app.set('case sensitive routing', true); // SPEC §4: paths are case-sensitive
  app.set('strict routing', false); // … and one trailing slash is accepted
  app.set('query parser', 'simple'); // string | string[] values only (express 5 default)
  app.set('etag', false); // counts change all the time; hashing every body buys nothing
  app.disable('x-powered-by');

  const metrics = httpMetrics(registry);
  app.use(metrics.middleware);

  /** A GET (and so HEAD) route; any other method on `path` is a 405 with `Allow`. */
  const paths: string[] = [];
  const getRoute = (path: string, ...handlers: RequestHandler[]) => {
    paths.push(path);
    app
      .route(path)
      .get(...handlers)
      .all((req, _res, next) => next(methodNotAllowed(req.method, req.path, ALLOWED_METHODS)));
  };

  /**
   * Answers `req` with the body of the read named `key`: kept in memory while the store's
   * generation is unchanged (answer-bodies.ts), else built by `read()` once for every identical
   * request. Each request waits at most READ_DEADLINE_MS from its own arrival; a read it gave
   * up on stays in flight until Redis has finished it (redisDrained), so it is not sent again
   * beside itself.
   */
  const sendShared = async (
    req: Request,
    res: Response,
    key: string,
    read: () => Promise<Buffer>,
  ) => {
    const body = await answers.answer(key, read);
    writeAnswer(res, body, await answerFor(req, body));
  };
  /** The same read, typed, for the live hub: cached beside the bodies, never re-parsed. */
  const readSharedValue = async <T>(key: string, read: () => Promise<T>): Promise<T> =>
    reads.cached<T>(key) ?? reads.share(key, read, shareOptions, () => LIVE_VALUE_BYTES);

  const countRoute = (kind: CountKind) => async (req: Request, res: Response) => {
    const query = toCountQuery(parseCountParams(req.query, retentionSeconds), now());
    await sendShared(req, res, countReadKey(kind, query), async () =>
      countsToJson(await readCounts(redis, keys, kind, query, { retentionSeconds })),
    );
  };
  const statsRoute = async (req: Request, res: Response) => {
    await sendShared(req, res, STATS_READ_KEY, async () => {
      const stats = await readStats(redis, keys);
      return Buffer.from(
        JSON.stringify({ events: stats.events, malformedLines: stats.malformedLines }),
      );
    });
  };
  const malformedRoute = async (req: Request, res: Response) => {
    await sendShared(req, res, MALFORMED_READ_KEY, async () =>
      malformedToJson(await readMalformed(redis, keys)),
    );
  };
  const readRoute = (read: ReadKind) =>
    read === 'stats' ? statsRoute : read === 'malformed' ? malformedRoute : countRoute(read);
  for (const route of READ_ROUTES) getRoute(route.path, readRoute(route.read));

  getRoute('/health', async (_req, res) => {
    try {
      await withDeadline(redis.ping(), HEALTH_DEADLINE_MS);
      sendJson(res, 200, '{"status":"ok"}');
    } catch (error) {
      const reason = redisFailureReason(error);
      if (reason === undefined) logger.error({ err: error }, 'health check failed unexpectedly');
      const body = {
        status: 'unavailable',
        error: `redis unavailable: ${reason ?? 'ping failed'}`,
      };
      sendJson(res, 503, JSON.stringify(body));
    }
  });

  getRoute('/metrics', async (_req, res) => {
    const text = await registry.metrics();
    res.status(200).type(registry.contentType).send(text);
  });

  const hub = new LiveHub({
    readStats: () =>
      readSharedValue<LiveStats>('live:stats', async () => {
        const { events, malformedLines } = await readStats(redis, keys);
        return { events, malformedLines };
      }),
    readEventsPerSecond: (fromSecond, toSecond) =>
      readSharedValue(`live:events-per-second:${fromSecond}-${toSecond}`, () =>
        readEventsPerSecond(redis, keys, fromSecond, toSecond),
      ),
    readCounts: (selection, nowSeconds) => {
      const query = toCountQuery({ top: selection.top, window: selection.window }, nowSeconds);
      return readSharedValue<LiveCounts>(
        `live:${selectionKey(selection)}@${nowSeconds}`,
        async () => {
          const [types, words] = await Promise.all([
            readCounts(redis, keys, 'types', query, { retentionSeconds }),
            readCounts(redis, keys, 'words', query, { retentionSeconds }),
          ]);
          return { types, words };
        },
      );
    },
    describeError: (error) => {
      const answer = toHttpError(error); // what a request would have got: 503 or 500
      if (answer.status === 500) logger.error({ err: error }, 'live tick failed unexpectedly');
      return answer.message;
    },
    tickMs: options.liveTickMs ?? LIVE_TICK_MS,
    nowSeconds: now,
    maxClients: options.liveMaxClients ?? DEFAULTS.LIVE_MAX_CLIENTS,
  });
  registerLiveMetrics(registry, hub);
  mountDashboard(getRoute, { hub, retentionSeconds });
  mountReference(getRoute, { retentionSeconds });

  app.use((req, _res, next) => next(notFound(req.method, req.path)));
  app.use(errorHandler(logger));

  const fastPath = createFastPath({ answers, retentionSeconds, now, track: metrics.track });
  const listener: RequestListener = (req, res) => {
    if (fastPath(req, res)) return;
    // Typed for express's own objects; express turns node's into those as it enters.
    app(req as Request, res as Response, jsonFinalHandler(res, logger));
  };
  return { listener, close: () => hub.close(), live: hub, paths, answers };
}

/**
 * What express calls when its stack is done without answering, instead of its own final
 * handler (an HTML page). That happens only when its router cannot parse the target (which
 * the guarded server refuses before: this is the second line of defence) or when an error
 * came after the answer had begun (errorHandler logged it and passes it on). So: a JSON 400,
 * a JSON error, or a cut connection when an answer had begun.
 */
function jsonFinalHandler(res: ServerResponse, logger: Logger): (error?: unknown) => void {
  return (error) => {
    if (res.headersSent) {
      if (!res.writableEnded) res.destroy(); // a second status line would corrupt the stream
      return;
    }
    if (error === undefined || error === null) {
      const message = 'invalid request target: expected a path starting with /';
      sendJson(res, 400, JSON.stringify({ error: message }));
      return;
    }
    const answer = toHttpError(error);
    if (answer.status === 500)
      logger.error({ err: error }, 'request failed after the error handler');
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    sendJson(res, answer.status, JSON.stringify({ error: answer.message }));
  };
}
