import { SettingError } from '@tally/settings';
import { undocumentedSettings } from '@tally/settings/testing';
import { readLogFormat } from './log-format';

describe('readLogFormat', () => {
  it('is json when LOG_FORMAT is unset', () => {
    expect(readLogFormat({})).toBe('json');
  });

  it.each(['json', 'pretty'])('accepts LOG_FORMAT=%s', (value) => {
    expect(readLogFormat({ LOG_FORMAT: value })).toBe(value);
  });

  it.each(['', 'PRETTY', 'text', ' json', 'pretty\n'])(
    'rejects LOG_FORMAT=%j with a message naming the variable, the value and the choices',
    (value) => {
      let caught: unknown;
      try {
        readLogFormat({ LOG_FORMAT: value });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SettingError);
      expect((caught as SettingError).message).toBe(
        `invalid LOG_FORMAT ${JSON.stringify(value)}: expected json or pretty`,
      );
    },
  );

  it("reads no variable that the README's settings tables lack", () => {
    expect(undocumentedSettings((env) => readLogFormat(env))).toEqual([]);
  });
});
