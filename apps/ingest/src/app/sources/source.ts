import type { WriterLease } from '@tally/aggregation';
import type { IngestStatus } from '../health-server';

/**
 * What a source reports for /health and /metrics: everything but the Redis client's state
 * (the wiring adds that) and start-up's.
 */
export type SourceStatus = Omit<IngestStatus, 'starting' | 'redisStatus' | 'lastRedisError'>;

/**
 * One transport the ingest reads from (TRANSPORT): the FIFO or the Redis stream. Every source
 * counts its lines with a LineCounter and stores them through the one commit loop, the
 * Committer, giving it the write its transport needs.
 */
export interface Source {
  /** Starts reading; returns at once. */
  start(): void;
  /** Finishes and stores the work in hand, then releases what the source opened itself. */
  stop(): Promise<void>;
  /** Read for every /health and /metrics request, so cheap. */
  status(): SourceStatus;
}

/** The writer this process is: its id, and its lease on that id (taken before reading). */
export interface Writer {
  readonly ingestId: string;
  readonly lease: WriterLease;
}
