import type { CountQuery } from '@tally/aggregation';
import { invalidParameter } from './errors';

/** SPEC §4: `top` is an integer 1 … 10000. */
export const TOP_MAX = 10_000;

/** Plain decimal, no sign, no leading zero, no exponent (SPEC §4). */
const DECIMAL_INTEGER = /^[1-9][0-9]*$/;

/** Longest piece of a bad value quoted back in an error message. */
const MAX_QUOTED_LENGTH = 64;

/** The validated query parameters of the count endpoints; absent ones are undefined. */
export interface CountParams {
  readonly top?: number;
  /** Seconds; 1 … WINDOW_RETENTION_S. */
  readonly window?: number;
}

/** A query as express 5's default ("simple") parser gives it; values of any other shape are invalid. */
export type RawQuery = Readonly<Record<string, unknown>>;

function quote(value: string): string {
  const shown = value.length > MAX_QUOTED_LENGTH ? `${value.slice(0, MAX_QUOTED_LENGTH)}…` : value;
  return JSON.stringify(shown);
}

/**
 * The integer parameter `name` of `query`, or undefined when absent.
 * @throws HttpError 400 when the value is repeated, empty, not plain decimal or out of range
 */
function readIntegerParam(
  query: RawQuery,
  name: string,
  max: number,
  allowed: string,
): number | undefined {
  const raw = Object.hasOwn(query, name) ? query[name] : undefined;
  if (raw === undefined) return undefined;
  const expected = `expected ${allowed}`;
  if (Array.isArray(raw)) {
    throw invalidParameter(
      `invalid "${name}" parameter: given ${raw.length} times, expected once, ${allowed}`,
    );
  }
  if (typeof raw !== 'string') throw invalidParameter(`invalid "${name}" parameter: ${expected}`);
  const value = DECIMAL_INTEGER.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= 1 && value <= max)) {
    throw invalidParameter(`invalid "${name}" parameter ${quote(raw)}: ${expected}`);
  }
  return value;
}

/**
 * Reads `top` and `window` of a count endpoint (SPEC §4); other parameters are ignored.
 * @param retentionSeconds WINDOW_RETENTION_S, the largest `window` allowed
 * @throws HttpError 400 whose message says what is wrong and what is allowed
 */
export function parseCountParams(query: RawQuery, retentionSeconds: number): CountParams {
  const top = readIntegerParam(query, 'top', TOP_MAX, `an integer from 1 to ${TOP_MAX}`);
  const window = readIntegerParam(
    query,
    'window',
    retentionSeconds,
    `an integer number of seconds from 1 to ${retentionSeconds} (the retention, WINDOW_RETENTION_S)`,
  );
  return { top, window };
}

/**
 * The aggregation query for `params`. `window` covers the seconds `[now − window + 1, now]`,
 * so the server's clock (`nowSeconds`, whole Unix seconds) is read once per request, here.
 */
export function toCountQuery(params: CountParams, nowSeconds: number): CountQuery {
  if (params.window === undefined) return { span: 'all', top: params.top };
  return { span: 'window', seconds: params.window, nowSeconds, top: params.top };
}
