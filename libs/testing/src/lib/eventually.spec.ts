import { eventually, GiveUp } from './eventually';

describe('eventually', () => {
  it('returns the first value that is neither undefined nor false', async () => {
    let calls = 0;
    const got = await eventually('the third call', () => (++calls < 3 ? false : calls), {
      everyMs: 1,
    });
    expect(got).toBe(3);
  });

  it('accepts true from a boolean check', async () => {
    let ready = false;
    setTimeout(() => (ready = true), 5);
    await expect(eventually('ready', () => ready)).resolves.toBe(true);
  });

  it('fails after the deadline naming what it waited for and the last error', async () => {
    await expect(
      eventually(
        'the moon',
        () => {
          throw new Error('not yet risen');
        },
        { timeoutMs: 30, everyMs: 5 },
      ),
    ).rejects.toThrow('timed out after 30 ms waiting for the moon: Error: not yet risen');
  });

  it('takes a bare number as the timeout', async () => {
    await expect(eventually('never', () => undefined, 20)).rejects.toThrow(
      'timed out after 20 ms waiting for never',
    );
  });

  it('stops at once on GiveUp', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      eventually('anything', () => {
        calls++;
        throw new GiveUp('the process exited');
      }),
    ).rejects.toThrow('the process exited');
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
