/**
 * CESU-8: UTF-8, except that a character above U+FFFF is written as its two UTF-16
 * surrogate halves, each as a 3-byte sequence (ED A0 80 … ED BF BF). Sorted-set members are
 * stored this way (the apply-batch script converts them) because Redis orders equal scores by
 * bytes, and the byte order of CESU-8 is UTF-16 code-unit order, the SPEC's tie order; plain
 * UTF-8 would put U+E000…U+FFFF before the characters above U+FFFF. Text without such
 * characters is the same in both.
 */

/** Decodes a CESU-8 sorted-set member back to a string. */
export function cesu8ToString(bytes: Buffer): string {
  // Fast path: no ED A0..BF (an encoded surrogate) means plain UTF-8.
  let i = bytes.indexOf(0xed);
  while (i !== -1 && !(i + 1 < bytes.length && bytes[i + 1] >= 0xa0))
    i = bytes.indexOf(0xed, i + 1);
  if (i === -1) return bytes.toString('utf8');
  let out = '';
  let from = 0;
  for (let j = 0; j < bytes.length;) {
    if (bytes[j] === 0xed && j + 2 < bytes.length && bytes[j + 1] >= 0xa0) {
      out += bytes.toString('utf8', from, j);
      out += String.fromCharCode(0xd000 | ((bytes[j + 1] & 0x3f) << 6) | (bytes[j + 2] & 0x3f));
      j += 3;
      from = j;
    } else {
      j++;
    }
  }
  return out + bytes.toString('utf8', from);
}

/** Encodes a string as CESU-8 (tests and tools; production encoding happens in the script). */
export function stringToCesu8(text: string): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdfff) {
      parts.push(Buffer.from(text.slice(from, i), 'utf8'));
      parts.push(
        Buffer.from([0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]),
      );
      from = i + 1;
    }
  }
  parts.push(Buffer.from(text.slice(from), 'utf8'));
  return Buffer.concat(parts);
}
