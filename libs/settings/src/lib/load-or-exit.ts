import { SettingError } from './setting-error';

/**
 * Runs `load` (an app's `loadConfig`) and, when a setting is invalid, writes the one line
 * SPEC §5 asks for — `<app>: invalid VAR "value": expected …` — to stderr and exits 1.
 * Any other error is not a settings problem and is rethrown.
 */
export function loadConfigOrExit<T>(app: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof SettingError) {
      process.stderr.write(`${app}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
