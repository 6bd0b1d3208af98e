import { type KeyLayout, LeaseHeldError, WriterLease } from '@tally/aggregation';
import { redactUserInfo } from '@tally/settings';
import type { Redis } from 'ioredis';
import { refuseToStart, sayOnStderr } from '../../say-on-stderr';
import type { OutputDeps } from '../output';

/**
 * Takes this process's lease on `producerId` (PRODUCER_ID), waiting while Redis is away or a
 * killed holder's lease lapses (one `lease_wait` line per wait), then renews it. Exits 1 with
 * one line on stderr when another live producer holds the id; stops the process (exit 1) when
 * the lease is lost later on.
 */
export async function takeProducerLease(
  redis: Redis,
  keys: KeyLayout,
  producerId: string,
  leaseMs: number,
  { logger, life }: OutputDeps,
): Promise<WriterLease> {
  let lease: WriterLease;
  try {
    lease = await life.during(
      WriterLease.acquire(redis, keys, 'producer', producerId, {
        leaseMs,
        signal: life.abortSignal,
        onWait: (reason, detail) =>
          logger.warn(
            { event: 'lease_wait', producerId, reason, detail: redactUserInfo(detail) },
            reason === 'held'
              ? 'another process holds PRODUCER_ID; waiting for its lease to lapse'
              : 'waiting for Redis to take the lease on PRODUCER_ID',
          ),
      }),
    );
  } catch (error) {
    if (error instanceof LeaseHeldError) {
      refuseToStart(`${error.message}; stop it or set another PRODUCER_ID`);
    }
    throw error;
  }
  life.defer(() => lease.release());
  lease.renewEvery();
  lease.onLost((reason) => {
    logger.fatal({ event: 'lease_lost', producerId, reason }, 'lost the lease on PRODUCER_ID');
    sayOnStderr(`another process took PRODUCER_ID "${producerId}" (${reason}); stopping`);
    void life.fail(1);
  });
  return lease;
}
