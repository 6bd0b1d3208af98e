/**
 * How a count, stats or malformed-lines body is sent: conditional (`If-None-Match` → 304)
 * and compressed when the request accepts it. The fast path (fast-path.ts) and express's
 * routes (app.ts) both send through here, so their answers are the same byte for byte.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnswerBody } from './answer-bodies';
import { type BodyEncoding, COMPRESS_MIN_BYTES, negotiateEncoding } from './body-encoding';
import { JSON_CONTENT_TYPE } from './json-response';

/** What one request gets: a 304, or a 200 with the body in one coding. */
export interface Answer {
  readonly status: 200 | 304;
  readonly encoding: BodyEncoding;
  readonly bytes: Buffer;
}

const NO_BYTES = Buffer.alloc(0);
const NOT_MODIFIED: Answer = Object.freeze({ status: 304, encoding: 'identity', bytes: NO_BYTES });

/** The coding `body` is sent in to `req`: small bodies always as they are. */
function encodingFor(req: IncomingMessage, body: AnswerBody): BodyEncoding {
  if (body.plain.length < COMPRESS_MIN_BYTES) return 'identity';
  return negotiateEncoding(req.headers['accept-encoding']);
}

/**
 * The answer to `req` if it can be sent at once: a 304, the plain body, or a compressed form
 * already made. Undefined when the coding it accepts is not compressed yet (`answerFor`).
 */
export function answerNow(req: IncomingMessage, body: AnswerBody): Answer | undefined {
  if (matchesIfNoneMatch(req.headers['if-none-match'], body.etag)) return NOT_MODIFIED;
  const encoding = encodingFor(req, body);
  const bytes = encoding === 'identity' ? body.plain : body.encoded(encoding);
  return bytes === undefined ? undefined : { status: 200, encoding, bytes };
}

/** The answer to `req`, compressing `body` first if no request has needed that coding yet. */
export async function answerFor(req: IncomingMessage, body: AnswerBody): Promise<Answer> {
  const now = answerNow(req, body);
  if (now !== undefined) return now;
  const encoding = encodingFor(req, body) as Exclude<BodyEncoding, 'identity'>;
  return { status: 200, encoding, bytes: await body.encode(encoding) };
}

/**
 * Sends `answer` of `body`. Every answer carries the validator and `Vary: Accept-Encoding`
 * (a cache must not hand a gzip body to a client that did not ask for one); a 304 carries
 * only those. The bytes are the shared Buffer itself, never a copy; Node leaves them out of
 * a HEAD answer and takes them as the socket drains.
 */
export function writeAnswer(res: ServerResponse, body: AnswerBody, answer: Answer): void {
  res.statusCode = answer.status;
  if (answer.status === 200) {
    res.setHeader('Content-Type', JSON_CONTENT_TYPE);
    res.setHeader('Content-Length', answer.bytes.length);
    if (answer.encoding !== 'identity') res.setHeader('Content-Encoding', answer.encoding);
  }
  res.setHeader('ETag', body.etag);
  res.setHeader('Vary', 'Accept-Encoding');
  res.end(answer.status === 200 ? answer.bytes : undefined);
}

/**
 * Whether an `If-None-Match` value names `etag`, by the weak comparison RFC 9110 §13.1.2
 * asks for (`W/"x"` and `"x"` match), or is `*`.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const match of header.matchAll(/(?:W\/)?("[^"]*")/g)) if (match[1] === opaque) return true;
  return false;
}
