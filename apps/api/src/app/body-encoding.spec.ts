import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { compressBody, FAST_COMPRESS_BYTES, negotiateEncoding } from './body-encoding';

describe('negotiateEncoding', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['identity', 'identity'],
    ['gzip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip;q=1.0, br;q=0.8', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['gzip;q=0', 'identity'],
    ['deflate', 'identity'],
    ['*', 'br'],
    ['*;q=0', 'identity'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['gzip;q=0.5', 'gzip'],
    ['identity;q=1, gzip;q=0.5', 'identity'],
    ['identity;q=0', 'identity'],
    ['gzip;q=2', 'identity'], // not a qvalue: counts as 0
    ['gzip;q=abc, br;q=0.001', 'br'],
    [' gzip ; q=0.9 , br ; q=0.9 ', 'br'],
  ])('answers Accept-Encoding %j with %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});

describe('compressBody', () => {
  const text = Buffer.from(
    JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`w${i}`, i]))),
  );

  it('gzips and brotli-compresses to bytes that decompress to the body exactly', async () => {
    const gz = await compressBody(text, 'gzip');
    const br = await compressBody(text, 'br');
    expect(gunzipSync(gz).equals(text)).toBe(true);
    expect(brotliDecompressSync(br).equals(text)).toBe(true);
    expect(gz.length).toBeLessThan(text.length / 2);
    expect(br.length).toBeLessThan(gz.length);
  });

  it('compresses a body past FAST_COMPRESS_BYTES too, with the fast levels', async () => {
    const large = Buffer.alloc(FAST_COMPRESS_BYTES + 1, '{"a":1}');
    for (const coding of ['gzip', 'br'] as const) {
      const bytes = await compressBody(large, coding);
      const back = coding === 'gzip' ? gunzipSync(bytes) : brotliDecompressSync(bytes);
      expect(back.equals(large)).toBe(true);
    }
  });
});
