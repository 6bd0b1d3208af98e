import { execFile } from 'node:child_process';
import { lstat, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SettingError } from '@tally/settings';
import { hasCode } from './fd-io';
import { fileKind } from './file-kind';

/**
 * rw for the owner and its group, nothing for others: whichever of producer and ingest
 * starts first creates the FIFO for both, so they must run as one user (compose: uid 1000
 * for both) or share its group. `mkfifo -m` sets exactly this mode, whatever the umask.
 */
const FIFO_MODE = '0660';

/**
 * Makes sure `path` is a FIFO, creating it with `mkfifo` (mode 0660) when nothing is there
 * (SPEC §5: whichever of producer and ingest starts first creates it; an existing FIFO is
 * used as is). The path itself must be the FIFO: a symbolic link, even to a FIFO, is an
 * invalid setting (the reader and the writer open it with O_NOFOLLOW).
 *
 * @param variable the setting named in errors.
 * @returns `'created'` or `'existing'` (also when the other side created it while we looked).
 * @throws SettingError when `path` exists and is not a FIFO (a symlink included), its
 *   directory does not exist, or the FIFO cannot be created there (permissions, read-only
 *   file system…).
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
  let found: string;
  try {
    const stats = await lstat(path);
    if (stats.isFIFO()) return true;
    found = fileKind(stats);
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
    `expected a FIFO (named pipe) or a path that does not exist, not ${found}`,
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
