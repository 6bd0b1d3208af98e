/**
 * The api's HTTP server: createApp's listener on a guarded server (`@tally/http-server`: no
 * request can crash the api, every answer is JSON) with the limits below, and its graceful stop.
 */
import { once } from 'node:events';
import type { RequestListener, Server } from 'node:http';
import { createGuardedServer, type ServerLimits } from '@tally/http-server';
import type { Logger } from 'pino';

/** Connections beside the live streams: JSON clients, scrapers, keep-alive pools. */
export const REQUEST_CONNECTIONS = 1000;

/** After a stop signal, connections still open this long (a slow client) are cut, in ms. */
export const SHUTDOWN_GRACE_MS = 3000;

/**
 * What the api accepts from a client, given LIVE_MAX_CLIENTS:
 * - a request head (request line and headers) of at most 16 KiB (431 past it), received
 *   within 10 s, and a whole request within 20 s (408 after): a client that trickles bytes
 *   (slowloris) holds a connection that long at most. The api reads no request body; one that
 *   comes anyway is read and dropped within the same 20 s. These bound receiving only: an
 *   answer may take as long as it takes (`/events/live` streams for hours);
 * - an idle keep-alive connection is closed after 5 s (node's default);
 * - at most `liveMaxClients + REQUEST_CONNECTIONS` connections at once; node closes any
 *   further one as soon as it is accepted (the live streams have their own cap below that,
 *   answered with a JSON 503).
 */
export function apiServerLimits(liveMaxClients: number): ServerLimits {
  return Object.freeze({
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 20_000,
    keepAliveTimeoutMs: 5_000,
    maxConnections: liveMaxClients + REQUEST_CONNECTIONS,
    maxHeaderBytes: 16 * 1024,
    timeoutCheckIntervalMs: 1_000,
  });
}

export interface ApiServerOptions {
  readonly limits: ServerLimits;
  /** Where an unexpected error (answered 500, never thrown) is logged. */
  readonly logger: Logger;
}

/** The api's server (not listening yet) for `listener` (createApp). */
export function createApiServer(listener: RequestListener, options: ApiServerOptions): Server {
  const { logger } = options;
  return createGuardedServer(listener, {
    limits: options.limits,
    allowedMethods: ['GET', 'HEAD'],
    onError: (error, { event, method, url }) => {
      if (event === 'server') logger.error({ err: error }, 'http server error; still serving');
      else logger.error({ err: error, method, url }, 'request failed unexpectedly');
    },
  });
}

export interface StopServerOptions {
  /** Connections still open this long after the stop began are cut, in ms. */
  readonly graceMs: number;
  /** Ends the answers that never end by themselves (the live streams). */
  readonly closeStreams?: () => void;
}

/**
 * A graceful stop: stop accepting, close idle keep-alive connections now, end the live
 * streams, let the requests in flight finish (each is bounded by the read deadline), and cut
 * whatever is still open after `graceMs`. Resolves once every connection is gone.
 */
export async function stopServer(server: Server, options: StopServerOptions): Promise<void> {
  if (!server.listening) return;
  const closed = once(server, 'close');
  server.close();
  server.closeIdleConnections();
  options.closeStreams?.();
  const cut = setTimeout(() => server.closeAllConnections(), options.graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(cut);
  }
}
