import { lstat, mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SettingError } from '@tally/settings';
import { makeTempDir, removeTempDir } from '../testing';
import { ensureFifo } from './ensure-fifo';

describe('ensureFifo', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(() => removeTempDir(dir));

  it('creates a FIFO that only its owner and group can read and write when nothing is at the path', async () => {
    const path = join(dir, 'events.fifo');
    await expect(ensureFifo(path)).resolves.toBe('created');
    const stats = await stat(path);
    expect(stats.isFIFO()).toBe(true);
    expect(stats.mode & 0o777).toBe(0o660);
  });

  it.each([
    ['077', 0o077],
    ['000', 0o000],
    ['002', 0o002],
  ])('sets mode 0660 exactly under umask %s', async (_name, mask) => {
    const path = join(dir, 'events.fifo');
    const before = process.umask(mask); // mkfifo inherits it
    try {
      await ensureFifo(path);
    } finally {
      process.umask(before);
    }
    expect((await stat(path)).mode & 0o777).toBe(0o660);
  });

  it('uses an existing FIFO as it is', async () => {
    const path = join(dir, 'events.fifo');
    await ensureFifo(path);
    await expect(ensureFifo(path)).resolves.toBe('existing');
  });

  it('creates the FIFO once when both sides race to create it', async () => {
    const path = join(dir, 'events.fifo');
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => ensureFifo(path)));
    expect(results.filter((r) => r === 'created')).toHaveLength(1);
    expect((await stat(path)).isFIFO()).toBe(true);
  });

  it.each([
    ['a regular file', 'a regular file', (path: string) => writeFile(path, 'x')],
    ['a directory', 'a directory', (path: string) => mkdir(path)],
    ['a dangling symbolic link', 'a symbolic link', (path: string) => symlink('/nowhere', path)],
    [
      'a symbolic link to a FIFO', // the path itself must be the FIFO
      'a symbolic link',
      async (path: string) => {
        await ensureFifo(join(dir, 'real.fifo'));
        await symlink(join(dir, 'real.fifo'), path);
      },
    ],
  ])('rejects %s with a one-line setting error', async (_name, kind, make) => {
    const path = join(dir, 'events.fifo');
    await make(path);
    const error = await ensureFifo(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SettingError);
    expect((error as SettingError).code).toBe('ERR_INVALID_SETTING');
    expect((error as SettingError).message).toBe(
      `invalid FIFO_PATH ${JSON.stringify(path)}: expected a FIFO (named pipe) or a path that does not exist, not ${kind}`,
    );
    // Left as it was: nothing created through the link, nothing replaced.
    expect((await lstat(path)).isFIFO()).toBe(false);
  });

  it('rejects a path whose directory does not exist', async () => {
    const path = join(dir, 'missing', 'events.fifo');
    await expect(ensureFifo(path)).rejects.toThrow(
      `invalid FIFO_PATH ${JSON.stringify(path)}: expected a path in an existing directory`,
    );
  });

  it('rejects a path below a regular file', async () => {
    await writeFile(join(dir, 'file'), 'x');
    await expect(ensureFifo(join(dir, 'file', 'events.fifo'))).rejects.toBeInstanceOf(SettingError);
  });

  it('names the variable it is given', async () => {
    const path = join(dir, 'missing', 'x.fifo');
    await expect(ensureFifo(path, 'INPUT_FIFO')).rejects.toThrow(/^invalid INPUT_FIFO /);
  });
});
