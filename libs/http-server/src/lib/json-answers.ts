import { type ServerResponse, STATUS_CODES } from 'node:http';

/** Every answer of these servers but `/metrics` is JSON (SPEC §4). */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** `{"error": message}` as JSON text. */
export function errorBody(message: string): string {
  return JSON.stringify({ error: message });
}

/**
 * Answers `res` with `status` and `{"error": message}` (and `headers`, e.g. `Allow`). Node
 * leaves the body out of a HEAD answer by itself.
 */
export function answerJsonError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  const body = errorBody(message);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * A whole HTTP/1.1 answer as text, for a socket that has no `ServerResponse` (a request node's
 * parser rejected, a CONNECT): `{"error": message}` with `Connection: close`.
 */
export function rawJsonError(
  status: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): string {
  const body = errorBody(message);
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    `Content-Type: ${JSON_CONTENT_TYPE}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    extra +
    'Connection: close\r\n\r\n' +
    body
  );
}
