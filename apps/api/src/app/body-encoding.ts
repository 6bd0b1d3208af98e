/**
 * Content codings of answer bodies: which one a request accepts (`Accept-Encoding`, RFC 9110
 * §12.5.3) and the compression itself, done once per body in zlib's thread pool (async, off
 * the event loop), never per request.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

/** How an answer body is sent: as is, or compressed. */
export type BodyEncoding = 'br' | 'gzip' | 'identity';
/** The compressed codings, in the order preferred when a request accepts both equally. */
export type CompressedEncoding = Exclude<BodyEncoding, 'identity'>;

/**
 * Bodies shorter than this are always sent as they are: compressing a few hundred bytes saves
 * less than it costs, and such answers (the totals, `top=10`) are the ones asked most often.
 */
export const COMPRESS_MIN_BYTES = 1024;
/**
 * Bodies longer than this are compressed at the fastest levels: a 1,000,000-word list
 * (~16 MB) takes ~50 ms at gzip level 1 / brotli quality 1 on this machine, against
 * ~120 ms at gzip 4 and ~600 ms at brotli 5.
 */
export const FAST_COMPRESS_BYTES = 4 * 1024 * 1024;

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * `body` compressed with `encoding`. Levels chosen on count bodies (tools/bench README):
 * gzip 4 is as small as the default 6 on them at a third of the time, brotli 5 is 2.5×
 * smaller than gzip for about 60 ms per 1.4 MB.
 */
export function compressBody(body: Buffer, encoding: CompressedEncoding): Promise<Buffer> {
  const large = body.length > FAST_COMPRESS_BYTES;
  if (encoding === 'gzip') return gzipAsync(body, { level: large ? 1 : 4 });
  return brotliAsync(body, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: large ? 1 : 5,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
}

/** Parsed `Accept-Encoding` values; clients send few distinct ones, so the map stays small. */
const negotiated = new Map<string, BodyEncoding>();
const NEGOTIATED_MAX = 256;

/**
 * The coding to send to a request whose `Accept-Encoding` is `header`: the acceptable one
 * (q > 0) with the highest q, ties going to br, then gzip, then the body as is (which ranks
 * only by a q the header gives it, by name or by `*`). No header, an
 * empty one, or one that accepts neither br nor gzip: the body as is (also when it says
 * `identity;q=0`: we have nothing else to offer, and a 406 would help no one).
 */
export function negotiateEncoding(header: string | undefined): BodyEncoding {
  if (header === undefined || header === '') return 'identity';
  let encoding = negotiated.get(header);
  if (encoding === undefined) {
    encoding = parseAcceptEncoding(header);
    if (negotiated.size >= NEGOTIATED_MAX) negotiated.clear();
    negotiated.set(header, encoding);
  }
  return encoding;
}

function parseAcceptEncoding(header: string): BodyEncoding {
  const q = new Map<string, number>();
  for (const item of header.split(',')) {
    const [name, ...params] = item.split(';');
    const coding = name.trim().toLowerCase();
    if (coding === '') continue;
    let weight = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((part) => part.trim().toLowerCase());
      if (key === 'q') weight = qValue(value);
    }
    q.set(coding === 'x-gzip' ? 'gzip' : coding, weight); // RFC 9110: x-gzip is gzip
  }
  const star = q.get('*');
  const weightOf = (coding: string) => q.get(coding) ?? star ?? 0;
  // Identity is always acceptable as the fallback, but ranks above a coding only when the
  // client gave it a higher q itself ("identity;q=1, gzip;q=0.5").
  const identity = weightOf('identity');
  const br = weightOf('br');
  const gz = weightOf('gzip');
  if (br > 0 && br >= gz && br >= identity) return 'br';
  if (gz > 0 && gz >= identity) return 'gzip';
  return 'identity';
}

/** RFC 9110 qvalue: 0 … 1 with up to three decimals; anything else counts as 0. */
function qValue(text: string | undefined): number {
  if (text === undefined || !/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(text)) return 0;
  return Number(text);
}
