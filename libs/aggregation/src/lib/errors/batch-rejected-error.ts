/** Codes of the reasons Redis refused a batch without writing any of it. */
export type BatchRejectedCode =
  'ERR_COUNT_KEY_WRONG_TYPE' | 'ERR_SEQ_KEY_CORRUPT' | 'ERR_STREAM_KEY_WRONG_TYPE';

/**
 * The apply-batch script refused a batch and wrote nothing: retrying cannot help, someone
 * has to look at the keys. Callers branch on `code`, never on the message.
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
