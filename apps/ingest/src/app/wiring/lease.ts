import { type KeyLayout, LeaseHeldError, WriterLease } from '@tally/aggregation';
import type { Lifecycle } from '@tally/lifecycle';
import { defaultWriterId, redactUserInfo } from '@tally/settings';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { IngestConfig } from '../config';
import { refuse } from './refuse';

/** INGEST_ID, or one made up for this process (host, pid and a random part). */
export function ingestIdOf(config: IngestConfig): string {
  return config.ingestId ?? defaultWriterId();
}

/**
 * The lease on INGEST_ID, taken before the first line is read (so nothing read is ever held
 * by an ingest that may not store it): waits while Redis is away, and while a killed holder's
 * lease lapses; exits 1 with one line when another live ingest uses the id. Once taken it is
 * renewed, released at stop, and its loss stops the process with exit 1.
 */
export async function holdLease(
  config: IngestConfig,
  ingestId: string,
  redis: Redis,
  keys: KeyLayout,
  life: Lifecycle,
  logger: Logger,
): Promise<WriterLease> {
  const acquire = async (): Promise<WriterLease> => {
    try {
      return await WriterLease.acquire(redis, keys, 'ingest', ingestId, {
        leaseMs: config.idLeaseMs,
        signal: life.abortSignal,
        onWait: (reason, detail) =>
          logger.warn(
            { event: 'lease_wait', ingestId, reason, detail: redactUserInfo(detail) },
            reason === 'held'
              ? 'another process holds INGEST_ID; waiting for its lease to lapse'
              : 'waiting for Redis to take the lease on INGEST_ID',
          ),
      });
    } catch (error) {
      if (error instanceof LeaseHeldError)
        refuse(`${error.message}; stop it or set another INGEST_ID`);
      throw error;
    }
  };
  const lease = await life.during(acquire());
  life.defer(() => lease.release());
  lease.renewEvery();
  lease.onLost((reason) => {
    // Its sequence is no longer its own: writing on could count twice. Stop, keep nothing.
    logger.fatal({ event: 'lease_lost', ingestId, reason }, 'lost the lease on INGEST_ID');
    process.stderr.write(
      `ingest: another process took INGEST_ID "${ingestId}" (${reason}); stopping without storing the counts held\n`,
    );
    void life.fail(1);
  });
  return lease;
}
