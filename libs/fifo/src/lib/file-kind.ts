import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { hasCode } from './fd-io';

/** What `stats` describes, for a message: `'a FIFO'`, `'a regular file'`, `'a symbolic link'`… */
export function fileKind(stats: Stats): string {
  if (stats.isFIFO()) return FIFO;
  if (stats.isFile()) return 'a regular file';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'something that is not a FIFO';
}

export const FIFO = 'a FIFO';

/**
 * What is at `path` itself (lstat: a symbolic link is one, whatever it points to):
 * {@link fileKind}, or `'nothing'`.
 * @throws the lstat error when the path cannot be examined (EACCES, ENOTDIR…)
 */
export async function kindAt(path: string): Promise<string> {
  try {
    return fileKind(await lstat(path));
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return 'nothing';
    throw error;
  }
}
