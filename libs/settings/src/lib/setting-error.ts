/**
 * An environment setting that is missing its contract. `message` is the whole user-facing
 * line after the app name: `invalid PORT "abc": expected an integer from 1 to 65535`.
 */
export class SettingError extends Error {
  override readonly name = 'SettingError';
  readonly code = 'ERR_INVALID_SETTING';

  constructor(
    readonly variable: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`invalid ${variable} ${JSON.stringify(value)}: ${expected}`);
  }
}
