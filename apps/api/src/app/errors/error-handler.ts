import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { sendJson } from '../json-response';
import { HttpError, internalError, redisUnavailable, serviceBusy } from './http-error';
import { redisFailureReason } from './redis-failure';
import { TooManyReadsError } from './too-many-reads-error';

/**
 * The 4xx status of an error raised by express's own middleware stack (body parsers and
 * other `http-errors` users set `status`/`statusCode`), or undefined.
 */
function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const value = typeof status === 'number' ? status : statusCode;
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 499
    ? value
    : undefined;
}

/** Maps any error to the HttpError the client gets. Pure; see `errorHandler` for the logging. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof TooManyReadsError) return serviceBusy(error.message, 1, error);
  const reason = redisFailureReason(error);
  if (reason !== undefined) return redisUnavailable(reason, error);
  const status = clientErrorStatus(error);
  if (status !== undefined) {
    // http-errors marks messages meant for clients with `expose`; others get the status text.
    const expose = (error as { expose?: unknown }).expose === true && error instanceof Error;
    const message = expose
      ? (error as Error).message
      : (STATUS_CODES[status] ?? 'bad request').toLowerCase();
    return new HttpError(status, 'ERR_BAD_REQUEST', message, { cause: error });
  }
  return internalError(error);
}

/**
 * The app's single error middleware, mounted last: every error becomes `{"error": "…"}` with
 * the SPEC status. Never express's default handler (HTML, with a stack trace outside
 * production). 500s log their cause; 503s are logged at debug level only, because the Redis
 * client already logs each outage once and `http_requests_total{status="503"}` counts them.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    const httpError = toHttpError(error);
    const context = {
      method: req.method,
      path: req.path,
      status: httpError.status,
      code: httpError.code,
    };
    if (httpError.status >= 500 && httpError.status !== 503) {
      logger.error({ ...context, err: error }, 'request failed');
    } else if (httpError.status === 503) {
      logger.debug({ ...context, err: error }, 'redis unavailable');
    }
    if (res.headersSent) {
      // Too late for a JSON answer: express's final handler closes the connection.
      next(error);
      return;
    }
    res.set(httpError.headers);
    sendJson(res, httpError.status, JSON.stringify({ error: httpError.message }));
  };
}
