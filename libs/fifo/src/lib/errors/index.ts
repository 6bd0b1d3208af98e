export { FifoClosedError } from './fifo-closed-error';
export { FifoReplacedError } from './fifo-replaced-error';
