/**
 * The path of a FIFO no longer leads to a FIFO: something else is there now (a regular file,
 * a symbolic link, a directory…) or nothing is. The writer never writes to what is there and
 * the reader never reads it; `found` says what it is (`'a regular file'`, `'nothing'`…).
 */
export class FifoReplacedError extends Error {
  override readonly name = 'FifoReplacedError';
  readonly code = 'ERR_FIFO_REPLACED';

  constructor(
    readonly path: string,
    readonly found: string,
  ) {
    super(
      found === 'nothing'
        ? `the FIFO at ${JSON.stringify(path)} was removed: nothing is there now`
        : `the FIFO at ${JSON.stringify(path)} was replaced: ${found} is there now, not a FIFO`,
    );
  }
}
