import type { IngestConfig } from '../config';
import type { IngestStatus } from '../health-server';
import { notStartedStatus, type Source } from '../sources';

/** The Redis client's side of the status: its state and last (safe to show) error. */
export type ConnectionStatus = Pick<IngestStatus, 'redisStatus' | 'lastRedisError'>;

/**
 * What /health and /metrics read, from the first request on: the Redis client's state plus the
 * source's status once the source runs; before that, what start-up waits for.
 */
export class StatusBoard {
  private source: Source | undefined;

  constructor(
    private readonly transport: IngestConfig['transport'],
    private readonly connection: () => ConnectionStatus,
    /** Shown (as `starting`) until `attach`. */
    private readonly waitingFor: string,
  ) {}

  /** Start-up is done: from now on the status is `source`'s. */
  attach(source: Source): void {
    this.source = source;
  }

  read(): IngestStatus {
    const connection = this.connection();
    if (this.source !== undefined) return { ...connection, ...this.source.status() };
    return { ...connection, starting: this.waitingFor, ...notStartedStatus(this.transport) };
  }
}
