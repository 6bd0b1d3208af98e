import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SettingError } from '@tally/settings';
import { hasCode } from './fd-io';

/**
 * rw for everyone: the producer and the ingest may run as different users (two containers
 * sharing a volume), and whichever starts first creates the FIFO for both.
 */
const FIFO_MODE = '0666';

/**
 * Makes sure `path` is a FIFO, creating it with `mkfifo` when nothing is there (SPEC §5:
 * whichever of producer and ingest starts first creates it; an existing FIFO is used as is).
 * A symlink to a FIFO counts as a FIFO.
 *
 * @param variable the setting named in errors.
 * @returns `'created'` or `'existing'` (also when the other side created it while we looked).
 * @throws SettingError when `path` exists and is not a FIFO, its directory does not exist, or
 *   the FIFO cannot be created there (permissions, read-only file system…).
 */
export async function ensureFifo(
  path: string,
  variable = 'FIFO_PATH',
): Promise<'created' | 'existing'> {
  if (await isExistingFifo(path, variable)) return 'existing';
  try {
    await runMkfifo(path);
    return 'created';
  } catch (error) {
    // The other side may have created it between our stat and mkfifo (EEXIST): that is fine.
    if (await isExistingFifo(path, variable)) return 'existing';
    if (!(await exists(dirname(path)))) {
      throw new SettingError(variable, path, 'expected a path in an existing directory');
    }
    throw new SettingError(
      variable,
      path,
      `expected a path where a FIFO can be created (${(error as Error).message})`,
    );
  }
}

/** false when nothing is at `path`; throws SettingError when something that is not a FIFO is. */
async function isExistingFifo(path: string, variable: string): Promise<boolean> {
  try {
    const stats = await stat(path);
    if (stats.isFIFO()) return true;
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return false;
    if (hasCode(error, 'ENOTDIR')) {
      throw new SettingError(variable, path, 'expected a path in an existing directory');
    }
    throw new SettingError(
      variable,
      path,
      `expected an accessible path (${(error as Error).message})`,
    );
  }
  throw new SettingError(
    variable,
    path,
    'expected a FIFO (named pipe) or a path that does not exist',
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    // Any failure to stat the directory means we cannot create in it; the caller says so.
    return false;
  }
}

/** Node has no mkfifo(3) binding, so run the coreutils binary (no shell: the path is an argument). */
function runMkfifo(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('mkfifo', ['-m', FIFO_MODE, '--', path], (error, _stdout, stderr) => {
      if (!error) return resolve();
      // mkfifo's own reason, e.g. "mkfifo: cannot create fifo '/x/y': Permission denied".
      const reason = String(stderr).trim().split('\n')[0] || error.message;
      reject(new Error(reason));
    });
  });
}
