import { FifoClosedError } from '@tally/fifo';

/** A write to the stream sink after its `close()` began (a stop): nothing of it is appended. */
export class OutputClosedError extends Error {
  override readonly name = 'OutputClosedError';
  readonly code = 'ERR_OUTPUT_CLOSED';

  constructor(readonly target: string) {
    super(`the output to ${target} was closed before this write`);
  }
}

/**
 * Whether `error` says the output was closed under a write (FIFO or stream): during a stop that
 * is the end of the job, not a failure.
 */
export function isOutputClosed(error: unknown): boolean {
  return error instanceof FifoClosedError || error instanceof OutputClosedError;
}
