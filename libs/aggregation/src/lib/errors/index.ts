export { BatchRejectedError, type BatchRejectedCode } from './batch-rejected-error';
