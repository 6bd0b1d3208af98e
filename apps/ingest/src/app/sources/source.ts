import type { IngestStatus } from '../health-server';

/** The Redis client's side of the status: its state and last (safe to show) error. */
export type ConnectionStatus = Pick<IngestStatus, 'redisStatus' | 'lastRedisError'>;

/**
 * One transport the ingest reads from (TRANSPORT): the FIFO or the Redis stream. Every source
 * feeds its counts to the one commit loop, the Committer.
 */
export interface Source {
  start(): void;
  /** Finishes and stores the work in hand, then releases what the source opened itself. */
  stop(): Promise<void>;
  /** What /health and /metrics show. */
  status(): IngestStatus;
}
