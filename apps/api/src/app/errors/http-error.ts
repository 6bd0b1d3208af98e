/** Stable codes of the errors the api answers with; log readers and tests branch on these. */
export type HttpErrorCode =
  | 'ERR_INVALID_PARAMETER'
  | 'ERR_NOT_FOUND'
  | 'ERR_METHOD_NOT_ALLOWED'
  | 'ERR_BAD_REQUEST'
  | 'ERR_REDIS_UNAVAILABLE'
  | 'ERR_BUSY'
  | 'ERR_INTERNAL';

export interface HttpErrorOptions {
  /** Extra response headers, such as `Allow` on a 405. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

/**
 * An error that is an HTTP answer: `status`, a stable `code`, and a `message` that is sent to
 * the client as `{"error": message}` (so it must say what is wrong and never hold internals).
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly status: number,
    readonly code: HttpErrorCode,
    message: string,
    options: HttpErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.headers = options.headers ?? {};
  }
}

/** 400: a query parameter is invalid; `message` says what is wrong and what is allowed. */
export function invalidParameter(message: string): HttpError {
  return new HttpError(400, 'ERR_INVALID_PARAMETER', message);
}

/** 404 for `method path`. */
export function notFound(method: string, path: string): HttpError {
  return new HttpError(404, 'ERR_NOT_FOUND', `not found: ${method} ${path}`);
}

/** 405 for `method path`, with the `Allow` header listing `allowed`. */
export function methodNotAllowed(
  method: string,
  path: string,
  allowed: readonly string[],
): HttpError {
  const allow = allowed.join(', ');
  return new HttpError(
    405,
    'ERR_METHOD_NOT_ALLOWED',
    `method not allowed: ${method} ${path}; allowed: ${allow}`,
    {
      headers: { Allow: allow },
    },
  );
}

/** 503: Redis could not be reached or did not answer in time; `reason` is short and safe to show. */
export function redisUnavailable(reason: string, cause?: unknown): HttpError {
  return new HttpError(503, 'ERR_REDIS_UNAVAILABLE', `redis unavailable: ${reason}`, { cause });
}

/**
 * 503: the api will not take more of this kind of work now (too many reads in flight, the
 * live stream full, shutting down); `Retry-After` says when to try again, in seconds.
 */
export function serviceBusy(message: string, retryAfterSeconds = 1, cause?: unknown): HttpError {
  return new HttpError(503, 'ERR_BUSY', message, {
    headers: { 'Retry-After': String(retryAfterSeconds) },
    cause,
  });
}

/** 500: a bug or an unexpected state. The cause is logged, never sent. */
export function internalError(cause: unknown): HttpError {
  return new HttpError(500, 'ERR_INTERNAL', 'internal error', { cause });
}
