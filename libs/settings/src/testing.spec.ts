import { documentedSettings, recordEnvReads, undocumentedSettings } from './testing';
import { readInteger, readString } from './lib/readers';

describe('recordEnvReads', () => {
  it('names every variable read, in the order first read', () => {
    const load = (env: Record<string, string | undefined>) => [
      readString(env, 'B', 'x'),
      readInteger(env, 'A', 1, { min: 0, max: 9 }),
      readString(env, 'B', 'y'),
    ];
    expect(recordEnvReads(load)).toEqual(['B', 'A']);
  });

  it('still returns what was read before an invalid setting threw', () => {
    const load = (env: Record<string, string | undefined>) => {
      readInteger(env, 'A', 1, { min: 0, max: 9 });
      readString(env, 'B', 'never read');
    };
    expect(recordEnvReads(load, { A: 'not a number' })).toEqual(['A']);
  });
});

describe('documentedSettings', () => {
  const readme = [
    '# x',
    '| `NOT_SETTINGS` | before the section |',
    '## Settings',
    '| variable | default |',
    '| --- | --- |',
    '| `ONE` | 1 |',
    '| `TWO`, `THREE` | `NOT_A_NAME_CELL` is in another column |',
    '### Tuning knobs',
    '| `FOUR` | 4 |',
    '## HTTP API',
    '| `AFTER` | after the section |',
  ].join('\n');

  it('takes every backticked name in the first column of the section, sub-tables included', () => {
    expect([...documentedSettings(readme)].sort()).toEqual(['FOUR', 'ONE', 'THREE', 'TWO']);
  });

  it('finds nothing without a Settings section', () => {
    expect(documentedSettings('# x\n| `ONE` |').size).toBe(0);
  });
});

describe('undocumentedSettings', () => {
  it("names a variable the workspace README's settings tables lack", () => {
    const load = (env: Record<string, string | undefined>) => {
      readString(env, 'REDIS_URL', 'x');
      readString(env, 'SURELY_UNDOCUMENTED_SETTING', 'x');
    };
    expect(undocumentedSettings(load)).toEqual(['SURELY_UNDOCUMENTED_SETTING']);
  });
});
