/** Codes of the reasons Redis refused a batch without writing any of it. */
export type BatchRejectedCode =
  | 'ERR_COUNT_KEY_WRONG_TYPE'
  | 'ERR_SEQ_KEY_CORRUPT'
  | 'ERR_STREAM_KEY_WRONG_TYPE'
  /** Another process holds the writer id's lease: this writer must stop (lease.ts). */
  | 'ERR_LEASE_LOST';

/**
 * A write script refused a batch (or entry) and wrote nothing: retrying cannot help, someone
 * has to look at the keys, or (ERR_LEASE_LOST) the writer has to stop. Callers branch on `code`, never on the message.
 */
export class BatchRejectedError extends Error {
  override readonly name = 'BatchRejectedError';

  constructor(
    readonly code: BatchRejectedCode,
    message: string,
  ) {
    super(message);
  }
}
