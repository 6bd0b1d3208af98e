import { closeSync, fstatSync, lstatSync, openSync, type Stats } from 'node:fs';
import { FifoReplacedError } from './errors';
import { hasCode, O_NOFOLLOW, O_NONBLOCK, O_RDONLY } from './fd-io';
import { fileKind } from './file-kind';

/**
 * Opens a non-blocking read end of the FIFO at `path` itself: O_NOFOLLOW, so a symlink put
 * there is refused (ELOOP) rather than followed, and checked with `fstat` before anything is
 * read, so a regular file (or anything else) put there is closed unread.
 * @throws FifoReplacedError when `path` is not a FIFO; the open(2) error otherwise (ENOENT…)
 */
export function openReadEndSync(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
  } catch (error) {
    if (hasCode(error, 'ELOOP')) throw new FifoReplacedError(path, 'a symbolic link');
    throw error;
  }
  const stats = fstatSync(fd);
  if (stats.isFIFO()) return fd;
  closeSync(fd);
  throw new FifoReplacedError(path, fileKind(stats));
}

/** Whether `path` itself (not followed) is still the FIFO open as `fd` (same device and inode). */
export function pathLeadsTo(path: string, fd: number): boolean {
  let atPath: Stats;
  try {
    atPath = lstatSync(path);
  } catch {
    return false; // removed, or unreachable: the next open says why
  }
  const held = fstatSync(fd);
  return atPath.ino === held.ino && atPath.dev === held.dev;
}
