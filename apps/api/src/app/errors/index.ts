export { DeadlineExceededError } from './deadline-exceeded-error';
export {
  HttpError,
  type HttpErrorCode,
  internalError,
  invalidParameter,
  methodNotAllowed,
  notFound,
  redisUnavailable,
} from './http-error';
export { redisFailureReason } from './redis-failure';
export { errorHandler, toHttpError } from './error-handler';
