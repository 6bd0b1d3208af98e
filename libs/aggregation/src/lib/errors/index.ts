export { BatchRejectedError, type BatchRejectedCode } from './batch-rejected-error';
export { LeaseHeldError } from './lease-held-error';
