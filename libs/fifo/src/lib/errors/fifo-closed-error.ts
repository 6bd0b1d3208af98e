/**
 * A write that could not be delivered because the writer was closed while no reader had the
 * FIFO open. None of its bytes that were not yet accepted by the kernel will be written.
 */
export class FifoClosedError extends Error {
  override readonly name = 'FifoClosedError';
  readonly code = 'ERR_FIFO_CLOSED';

  constructor(readonly path: string) {
    super(`FIFO writer for ${path} was closed before a reader took the data`);
  }
}
