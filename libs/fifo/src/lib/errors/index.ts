export { FifoClosedError } from './fifo-closed-error';
