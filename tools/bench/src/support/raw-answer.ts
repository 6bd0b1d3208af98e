/**
 * Raw HTTP answers for the api benchmark: the bytes as sent (fetch would decompress them),
 * their size, and the api's memory from /proc.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** The bytes as sent (compressed when the api compressed them). */
  readonly body: Buffer;
  readonly elapsedMs: number;
}

/** One GET on a connection of its own, the body as sent (fetch would decompress it). */
export function rawGet(url: string, headers: Readonly<Record<string, string>>): Promise<RawAnswer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const kept: Record<string, string> = {};
        for (const name of ['content-type', 'content-encoding', 'etag', 'vary']) {
          const value = res.headers[name];
          if (typeof value === 'string') kept[name] = value;
        }
        resolve({
          status: res.statusCode ?? 0,
          headers: kept,
          body: Buffer.concat(chunks),
          elapsedMs: performance.now() - started,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** "(100000 entries 1447 KiB)": the entries of a count body and the bytes sent per answer. */
export function sizeOf(answer: RawAnswer): string {
  const text = (
    answer.headers['content-encoding'] === 'gzip' ? gunzipSync(answer.body) : answer.body
  ).toString();
  const value = JSON.parse(text) as object;
  const kib = (answer.body.length / 1024).toFixed(0);
  return `${Object.keys(value).length} entries ${kib} KiB`;
}

/** The api's peak and current RSS in MiB, from /proc (Linux). */
export function rssOf(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { peak: kib('VmHWM') / 1024, now: kib('VmRSS') / 1024 };
}
