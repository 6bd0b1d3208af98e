/**
 * Request targets as a server sees them (RFC 9112 §3.2): whatever bytes node's parser let
 * through, turned into an origin-form target or a refusal, without ever throwing.
 */

/** `http://` or `https://` (any case), its authority, and the rest. */
const ABSOLUTE_FORM = /^https?:\/\/([^/?#]*)(.*)$/is;
/**
 * host[:port] of an http(s) URI (RFC 3986 §3.2): an IP literal in brackets or a reg-name, no
 * userinfo (RFC 9110 §4.2.4: treat it as an error) and never empty (§4.2.1: reject).
 */
const AUTHORITY = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::([0-9]*))?$/;

/**
 * The request target `target` in origin-form (path and query, not decoded), for the two forms
 * a server answers:
 * - origin-form, kept as it is: `/events/stats?top=1` (also `//x:99999/`, which is a path);
 * - absolute-form, reduced to its path and query: `http://host:5000/events/stats?top=1` →
 *   `/events/stats?top=1`, `http://host` → `/`; the scheme is http or https and the authority
 *   a valid host[:port].
 *
 * Anything else is `undefined`, for the caller to answer 400: the asterisk-form `*`, an
 * authority-form `host:443`, another scheme, an absolute URL with a broken authority
 * (`http://[`, `http://x:99999/`, `http://user@x/`, `http:///x`), an empty target. Never
 * throws (unlike `new URL`), whatever the characters.
 */
export function originForm(target: string): string | undefined {
  if (target.charCodeAt(0) === 0x2f /* / */) return target;
  const absolute = ABSOLUTE_FORM.exec(target);
  if (absolute === null) return undefined;
  const authority = AUTHORITY.exec(absolute[1]);
  if (authority === null) return undefined;
  const port = authority[1];
  if (port !== undefined && port !== '' && Number(port) > 65535) return undefined;
  const rest = absolute[2];
  return rest.charCodeAt(0) === 0x2f ? rest : `/${rest}`;
}
