export { ensureFifo } from './lib/ensure-fifo';
export { FifoWriter, type FifoWriterEvents } from './lib/fifo-writer';
export { FifoReader, type FifoReaderEvents, READ_CHUNK_BYTES } from './lib/fifo-reader';
export { FifoClosedError, FifoReplacedError } from './lib/errors';
export { PIPE_BUF } from './lib/line-chunks';
