// Raw bytes are validated UTF-8 before parsing, and UTF-8 cannot encode a surrogate, so a lone
// surrogate can only enter a parsed value through a `\uD800`-`\uDFFF` escape. Lines without such
// an escape (nearly all of them) skip the walk over the parsed value.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

/**
 * Whether the JSON text may hold a surrogate escape. False positives (an escaped backslash
 * followed by `ud800`) only cost a walk; there are no false negatives.
 */
export function mayHaveSurrogateEscape(jsonText: string): boolean {
  return jsonText.indexOf('\\u') !== -1 && SURROGATE_ESCAPE.test(jsonText);
}

/**
 * Whether any string in a `JSON.parse` result (object keys included, at any depth) holds a
 * lone surrogate. Iterative, because JSON.parse accepts nesting far deeper than the call stack.
 */
export function hasLoneSurrogate(parsed: unknown): boolean {
  const pending: unknown[] = [parsed];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (typeof value === 'object' && value !== null) {
      // Own keys only: JSON.parse defines `__proto__` as an ordinary own property.
      for (const key of Object.keys(value)) {
        if (!key.isWellFormed()) return true;
        pending.push((value as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}
