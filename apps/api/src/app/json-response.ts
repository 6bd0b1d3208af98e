import type { ServerResponse } from 'node:http';

/** SPEC §4: every answer except /metrics. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Sends `body`, which must already be JSON (text, or its UTF-8 bytes: a shared body is encoded
 * once, not per answer), with `status` and the SPEC content type.
 *
 * Written on Node's response directly rather than through express's `res.send`, which on this
 * path only adds work per request (a MIME lookup for the type, an ETag and freshness check we
 * turned off or never need). Node itself leaves the body out of a HEAD answer.
 */
export function sendJson(res: ServerResponse, status: number, body: string | Buffer): void {
  res.statusCode = status;
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.setHeader(
    'Content-Length',
    typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length,
  );
  res.end(body);
}
