export { DeadlineExceededError } from './deadline-exceeded-error';
export { TooManyReadsError } from './too-many-reads-error';
export {
  HttpError,
  type HttpErrorCode,
  internalError,
  invalidParameter,
  methodNotAllowed,
  notFound,
  redisUnavailable,
  serviceBusy,
} from './http-error';
export { redisFailureReason } from './redis-failure';
export { errorHandler, toHttpError } from './error-handler';
