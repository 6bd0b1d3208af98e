/** Socket error codes that mean "cannot reach Redis" (Node's `err.code` on connect/write). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Redis replies that mean "the server is there but cannot serve now" rather than a bug of
 * ours: still loading its dataset, busy with a long script, a replica that lost its master,
 * or full (OOM under `maxmemory-policy noeviction`: a write, and a windowed read that rolls
 * buckets up, is refused until memory is freed; the ingest holds and retries, the api answers
 * 503).
 */
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|OOM)\b/;

/**
 * Whether `error` means Redis is unavailable (an api answers 503, not 500; an ingest holds its
 * counts and retries), and if so a short reason that is safe to show anyone (no address, no
 * user-info): what `/health` of every app says; `undefined` for any other error.
 *
 * The one place that knows how ioredis reports an outage. ioredis 5 gives most of these errors
 * no `code`, so this matches its class names and fixed messages (ioredis `lib/Redis.ts`
 * `sendCommand`, `lib/Command.ts`, `lib/redis/event_handler.ts`, `lib/errors/`); when upgrading
 * ioredis, re-check them with `redis-failure.spec.ts` and the unavailable-Redis tests.
 */
export function redisFailureReason(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return `connection error (${code})`;
  // offline queue disabled and not connected (lib/Redis.ts sendCommand)
  if (error.message.startsWith("Stream isn't writeable")) return 'not connected';
  // the client was closed, or reconnecting is off (CONNECTION_CLOSED_ERROR_MSG)
  if (error.message === 'Connection is closed.') return 'connection closed';
  // commandTimeout elapsed (lib/Command.ts)
  if (error.message === 'Command timed out') return 'command timed out';
  // in-flight command dropped with its connection: MaxRetriesPerRequestError extends AbortError
  if (error.name === 'MaxRetriesPerRequestError' || error.name === 'AbortError') {
    return 'connection lost during the command';
  }
  const reply = UNAVAILABLE_REPLY.exec(error.message);
  if (error.name === 'ReplyError' && reply) return `server answered ${reply[1]}`;
  return undefined;
}
