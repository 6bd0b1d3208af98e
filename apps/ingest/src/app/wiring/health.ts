import type { Lifecycle } from '@tally/lifecycle';
import type { Logger } from 'pino';
import type { IngestConfig } from '../config';
import { closeServer, createHealthServer, type IngestStatus, listenOn } from '../health-server';
import { refuse } from './refuse';

/**
 * Serves /health and /metrics on HEALTH_HOST:HEALTH_PORT from `status` (read per request),
 * before the first line is read: an ingest whose health cannot be watched does not start
 * (exit 1 with one line). Closed at stop.
 */
export async function serveHealth(
  config: IngestConfig,
  status: () => IngestStatus,
  life: Lifecycle,
  logger: Logger,
): Promise<void> {
  const health = createHealthServer(status, {
    // Answered 500 (or an accept failure): logged, never thrown; the ingest goes on counting.
    onError: (error, { event: where, method, url }) =>
      logger.error(
        { event: 'health_server_error', where, method, url, err: error },
        'health server error',
      ),
  });
  try {
    await life.during(listenOn(health, config.healthPort, config.healthHost));
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    refuse(
      `cannot listen on ${config.healthHost}:${config.healthPort} (HEALTH_HOST, HEALTH_PORT): ${code ?? message}`,
    );
  }
  life.defer(() => closeServer(health));
}
