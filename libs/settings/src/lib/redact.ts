/**
 * `url` with its user-info (`user:password@`) replaced by `***@`: the only form in which a
 * REDIS_URL may appear in an error, a log line, `/health` or a metric. Works on anything a
 * user may have typed, not only on valid URLs (an invalid REDIS_URL is echoed in its error):
 * the authority is what follows `//` (or the start) up to the first `/`, `?` or `#`, and
 * everything in it up to its last `@` is user-info.
 */
export function redactUserInfo(url: string): string {
  const slashes = url.indexOf('//');
  const start = slashes === -1 ? 0 : slashes + 2;
  const rest = url.slice(start);
  const end = rest.search(/[/?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  if (at === -1) return url;
  return `${url.slice(0, start)}***${rest.slice(at)}`;
}
