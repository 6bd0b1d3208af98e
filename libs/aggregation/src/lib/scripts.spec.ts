import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import * as generated from '../lua/scripts.generated';
import { COMMANDS, withScripts } from './scripts';

const LUA_DIR = join(__dirname, '..', 'lua');

/** The header of a .lua file: everything up to the first `]]`. */
function headerOf(lua: string): string {
  return lua.slice(0, lua.indexOf(']]'));
}

describe('withScripts', () => {
  // lazyConnect: defining commands needs no server, and this suite opens no socket.
  const clients: Redis[] = [];
  const client = () => {
    const redis = new Redis({ lazyConnect: true });
    clients.push(redis);
    return redis;
  };
  afterAll(() => {
    for (const redis of clients) redis.disconnect();
  });

  it('defines every command, and its Buffer twin, on a client', () => {
    const redis = withScripts(client()) as unknown as Record<string, unknown>;
    for (const name of Object.keys(COMMANDS)) {
      expect(typeof redis[name]).toBe('function');
      expect(typeof redis[`${name}Buffer`]).toBe('function');
    }
  });

  it('defines the commands once per client, however often it is called', () => {
    const redis = client();
    const define = jest.spyOn(redis, 'defineCommand');
    expect(withScripts(redis)).toBe(redis);
    withScripts(redis);
    withScripts(redis);
    expect(define).toHaveBeenCalledTimes(Object.keys(COMMANDS).length);
  });

  it('defines them again on another client', () => {
    withScripts(client());
    const other = client();
    const define = jest.spyOn(other, 'defineCommand');
    withScripts(other);
    expect(define).toHaveBeenCalledTimes(Object.keys(COMMANDS).length);
  });
});

describe('COMMANDS', () => {
  it('registers every .lua file once, as generated', () => {
    const files = readdirSync(LUA_DIR).filter((f) => f.endsWith('.lua'));
    const sources = files.map((f) => readFileSync(join(LUA_DIR, f), 'utf8')).sort();
    expect(Object.values(generated).sort()).toEqual(sources);
    expect(
      Object.values(COMMANDS)
        .map((c) => c.lua)
        .sort(),
    ).toEqual(sources);
  });

  it.each(Object.entries(COMMANDS))(
    '%s declares the key count its script header lists',
    (_name, { lua, numberOfKeys }) => {
      const header = headerOf(lua);
      const variable = /No KEYS|KEYS\[\d+\.\.(n)?\]/.test(header);
      if (numberOfKeys === undefined) {
        expect(variable).toBe(true);
      } else {
        const listed = [...header.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
        expect(variable).toBe(false);
        expect(Math.max(...listed)).toBe(numberOfKeys);
      }
    },
  );
});
