import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Env } from './lib/readers';

/**
 * Runs `load` on a copy of `env` that records every variable it reads, and returns their
 * names in the order first read. A thrown SettingError still returns what was read up to it.
 */
export function recordEnvReads(load: (env: Env) => unknown, env: Env = {}): string[] {
  const read = new Set<string>();
  const recording = new Proxy(
    { ...env },
    {
      get(target, key) {
        if (typeof key === 'string') read.add(key);
        return Reflect.get(target, key) as unknown;
      },
    },
  );
  try {
    load(recording);
  } catch {
    // what was read before the first invalid setting is still read
  }
  return [...read];
}

/** The workspace root: the nearest folder above `from` that holds `nx.json`. */
export function workspaceRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no nx.json above ${from}`);
  }
}

/**
 * The variables the README's `## Settings` section documents: every `` `NAME` `` in the first
 * column of its tables (a row may name several, e.g. `HEALTH_PORT`, `HEALTH_HOST`).
 */
export function documentedSettings(markdown: string): Set<string> {
  const names = new Set<string>();
  const start = markdown.search(/^## Settings\b/m);
  if (start < 0) return names;
  const rest = markdown.slice(start + 1);
  const end = rest.search(/^## /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  for (const line of section.split('\n')) {
    const firstCell = /^\|([^|]*)\|/.exec(line.trim())?.[1] ?? '';
    for (const match of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(match[1] as string);
  }
  return names;
}

/** The variables `load` reads (over each of `envs`) that the workspace README does not document. */
export function undocumentedSettings(
  load: (env: Env) => unknown,
  envs: readonly Env[] = [{}],
): string[] {
  const documented = documentedSettings(readFileSync(join(workspaceRoot(), 'README.md'), 'utf8'));
  const read = new Set(envs.flatMap((env) => recordEnvReads(load, env)));
  return [...read].filter((name) => !documented.has(name)).sort();
}
