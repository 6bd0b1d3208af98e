/**
 * `@tally/http-server/testing`: a raw HTTP/1.1 client over `node:net`, for tests that send
 * what `fetch` never would (broken request lines, NUL bytes, huge heads, pipelined requests)
 * and check every byte that comes back.
 */
import { connect } from 'node:net';

/** One HTTP answer as read off the wire. */
export interface RawAnswer {
  readonly status: number;
  /** Header names lower-cased; a repeated header keeps its last value. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

export interface RawExchange {
  /** The complete answers, in order. */
  readonly answers: RawAnswer[];
  /** Whether the server closed the connection (before `answers` were all read, or after). */
  readonly closed: boolean;
  /** Everything received, as latin1 text (for failure messages). */
  readonly raw: string;
}

export interface RawRequestOptions {
  /** Resolve once this many answers are complete (default 1), or when the server closes. */
  readonly answers?: number;
  /** Answers to HEAD requests carry no body, whatever their Content-Length says. */
  readonly noBody?: boolean;
  /** Resolve only when the server closes the connection (to check that it does). */
  readonly untilClose?: boolean;
  /** Reject after this long without completing (default 5000 ms). */
  readonly timeoutMs?: number;
  readonly host?: string;
}

/**
 * Sends `request` (bytes exactly as given) on a new connection to `host:port` and reads the
 * answers: each must be `HTTP/1.x <status>` with headers and a body of `Content-Length` bytes
 * (or up to the close, without one). Resolves with what was complete when `answers` were read
 * or the server closed; rejects on a timeout or a malformed answer, with the bytes seen.
 */
export function rawRequest(
  port: number,
  request: string | Buffer,
  options: RawRequestOptions = {},
): Promise<RawExchange> {
  const wanted = options.answers ?? 1;
  return new Promise((resolve, reject) => {
    const socket = connect(port, options.host ?? '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (closed: boolean, error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const raw = received.toString('latin1');
      let answers: RawAnswer[];
      try {
        answers = parseAnswers(received, options.noBody === true, closed).answers;
      } catch (parseError) {
        reject(new Error(`${(parseError as Error).message}; received ${JSON.stringify(raw)}`));
        return;
      }
      if (error) reject(new Error(`${error.message}; received ${JSON.stringify(raw)}`));
      else resolve({ answers, closed, raw });
    };
    const timer = setTimeout(() => {
      const what = options.untilClose === true ? 'close' : `${wanted} answer(s)`;
      finish(false, new Error(`no ${what} in ${options.timeoutMs ?? 5000} ms`));
    }, options.timeoutMs ?? 5000);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      try {
        const complete = parseAnswers(received, options.noBody === true, false).answers;
        if (options.untilClose !== true && complete.length >= wanted) {
          finish(false);
        }
      } catch {
        finish(false); // reported with the bytes by finish's own parse
      }
    });
    // A reset after the answer (the server cut the connection) still counts as closed.
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.write(request);
  });
}

/** The complete answers at the start of `bytes`. */
function parseAnswers(bytes: Buffer, noBody: boolean, closed: boolean): { answers: RawAnswer[] } {
  const answers: RawAnswer[] = [];
  let at = 0;
  for (;;) {
    const headEnd = bytes.indexOf('\r\n\r\n', at, 'latin1');
    if (headEnd === -1) break;
    const lines = bytes.toString('latin1', at, headEnd).split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0]);
    if (status === null) throw new Error(`not an HTTP answer: ${JSON.stringify(lines[0])}`);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`malformed header line ${JSON.stringify(line)}`);
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const bodyStart = headEnd + 4;
    if (headers.get('transfer-encoding') !== undefined) {
      throw new Error('a chunked answer: rawRequest reads Content-Length bodies only');
    }
    const length = headers.get('content-length');
    let bodyEnd: number;
    if (noBody || status[1] === '204' || status[1] === '304') bodyEnd = bodyStart;
    else if (length !== undefined) bodyEnd = bodyStart + Number(length);
    else if (closed) bodyEnd = bytes.length;
    else break; // a body up to the close: not complete yet
    if (bodyEnd > bytes.length) break;
    const body = bytes.toString('utf8', bodyStart, bodyEnd);
    answers.push({ status: Number(status[1]), headers, body });
    at = bodyEnd;
  }
  return { answers };
}
