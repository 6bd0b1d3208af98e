import { type Env, readChoice } from '@tally/settings';

export const LOG_FORMATS = ['json', 'pretty'] as const;
/**
 * `json`: one JSON object per line on stdout, for machines (production, compose, CI, tests).
 * `pretty`: pino-pretty's one line per entry, for a person at a terminal (`npm start`).
 */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** LOG_FORMAT when unset: JSON, everywhere but where a person asks otherwise. */
export const DEFAULT_LOG_FORMAT: LogFormat = 'json';

/** LOG_FORMAT: `json` (default) or `pretty`. @throws SettingError */
export function readLogFormat(env: Env): LogFormat {
  return readChoice(env, 'LOG_FORMAT', DEFAULT_LOG_FORMAT, LOG_FORMATS);
}
