// Whole-line prefixing for `npm start` (start-dev.mjs): each app's output is a byte stream that
// arrives in chunks cut anywhere, mid-line and mid-character. A line is printed only once its
// `\n` has come, so lines of three apps interleave but are never cut or merged.
const { StringDecoder } = require('node:string_decoder');

/** Past this many characters without a `\n`, the line so far is printed (memory stays bounded). */
const MAX_LINE_CHARS = 1024 * 1024;

class LinePrefixer {
  /**
   * @param {string} prefix put before every line, e.g. `api      | `
   * @param {{ maxLineChars?: number }} [options]
   */
  constructor(prefix, options = {}) {
    this.prefix = prefix;
    this.maxLineChars = options.maxLineChars ?? MAX_LINE_CHARS;
    this.decoder = new StringDecoder('utf8');
    this.partial = '';
  }

  /**
   * Takes the next chunk; returns the lines it completes, each prefixed and ending in `\n`
   * (`''` when it completes none). Bytes are kept as they are, `\r` included.
   * @param {Buffer | string} chunk
   * @returns {string}
   */
  push(chunk) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const text = this.partial + this.decoder.write(bytes);
    const lines = text.split('\n');
    this.partial = /** @type {string} */ (lines.pop());
    let out = '';
    for (const line of lines) out += `${this.prefix}${line}\n`;
    while (this.partial.length > this.maxLineChars) {
      out += `${this.prefix}${this.partial.slice(0, this.maxLineChars)}\n`;
      this.partial = this.partial.slice(this.maxLineChars);
    }
    return out;
  }

  /**
   * The stream has ended: returns its last line when it had no `\n`, prefixed and ended with
   * one (`''` otherwise).
   * @returns {string}
   */
  end() {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest === '' ? '' : `${this.prefix}${rest}\n`;
  }
}

module.exports = { LinePrefixer, MAX_LINE_CHARS };
