/**
 * Another live process uses this writer id (WriterLease.acquire waited a lease time and it
 * was renewed meanwhile): this one must not start (or go on).
 */
export class LeaseHeldError extends Error {
  override readonly name = 'LeaseHeldError';
  readonly code = 'ERR_LEASE_HELD';
}
