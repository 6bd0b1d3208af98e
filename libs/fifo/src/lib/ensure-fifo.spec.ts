import { mkdir, stat, writeFile } from 'node:fs/promises';
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

  it('creates a FIFO that any user can read and write when nothing is at the path', async () => {
    const path = join(dir, 'events.fifo');
    await expect(ensureFifo(path)).resolves.toBe('created');
    const stats = await stat(path);
    expect(stats.isFIFO()).toBe(true);
    expect(stats.mode & 0o777).toBe(0o666);
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
    ['a regular file', (path: string) => writeFile(path, 'x')],
    ['a directory', (path: string) => mkdir(path)],
  ])('rejects %s with a one-line setting error', async (_kind, make) => {
    const path = join(dir, 'events.fifo');
    await make(path);
    const error = await ensureFifo(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SettingError);
    expect((error as SettingError).code).toBe('ERR_INVALID_SETTING');
    expect((error as SettingError).message).toBe(
      `invalid FIFO_PATH ${JSON.stringify(path)}: expected a FIFO (named pipe) or a path that does not exist`,
    );
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
