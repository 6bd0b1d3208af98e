/**
 * A read was not started because `maxInFlight` different reads are already waiting for Redis
 * (see SharedReads): the api answers 503 instead of queueing more work on a Redis that is
 * already behind.
 */
export class TooManyReadsError extends Error {
  override readonly name = 'TooManyReadsError';
  readonly code = 'ERR_TOO_MANY_READS';

  constructor(readonly maxInFlight: number) {
    super(`busy: ${maxInFlight} different reads are waiting for Redis, the most allowed`);
  }
}
