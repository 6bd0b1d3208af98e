import { appEnv, APPS, inspectorPorts, prefixOf } from './dev-apps.cjs';

describe('prefixOf', () => {
  it('gives every app a prefix of the same width', () => {
    const prefixes = APPS.map((app) => prefixOf(app.name));
    expect(prefixes).toEqual(['producer | ', 'ingest   | ', 'api      | ']);
  });
});

describe('inspectorPorts', () => {
  it.each([undefined, '', '0'])('inspects no app when INSPECT is %j', (value) => {
    expect(inspectorPorts(value).size).toBe(0);
  });

  it('gives every app its own port with INSPECT=1', () => {
    expect([...inspectorPorts('1')]).toEqual([
      ['producer', 9231],
      ['ingest', 9230],
      ['api', 9229],
    ]);
  });

  it('inspects only the apps INSPECT names', () => {
    expect([...inspectorPorts('api, ingest')]).toEqual([
      ['api', 9229],
      ['ingest', 9230],
    ]);
  });

  it.each(['yes', 'api,web', 'true'])('rejects INSPECT=%j with one line', (value) => {
    expect(() => inspectorPorts(value)).toThrow(
      `invalid INSPECT ${JSON.stringify(value)}: expected 1, 0 or app names from producer, ingest, api`,
    );
  });
});

describe('appEnv', () => {
  it('asks for pretty, coloured logs when the output is a terminal', () => {
    expect(appEnv({ A: 'b' }, true)).toEqual({ A: 'b', LOG_FORMAT: 'pretty', FORCE_COLOR: '1' });
  });

  it('keeps JSON when the output is not a terminal', () => {
    expect(appEnv({}, false)).toEqual({ LOG_FORMAT: 'json' });
  });

  it('keeps a LOG_FORMAT, NO_COLOR or FORCE_COLOR that is set', () => {
    expect(appEnv({ LOG_FORMAT: 'json', NO_COLOR: '1' }, true)).toEqual({
      LOG_FORMAT: 'json',
      NO_COLOR: '1',
    });
    expect(appEnv({ FORCE_COLOR: '0' }, true)).toEqual({ LOG_FORMAT: 'pretty', FORCE_COLOR: '0' });
  });
});
