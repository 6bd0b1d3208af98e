import { eventually, GiveUp } from './app-processes';

describe('eventually', () => {
  it('polls until the check returns a value', async () => {
    let calls = 0;
    const value = await eventually('the third call', () => (++calls === 3 ? 'done' : undefined));
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });

  it('keeps polling through errors and names the last one when it times out', async () => {
    await expect(
      eventually(
        'never',
        () => {
          throw new Error('not yet');
        },
        60,
        10,
      ),
    ).rejects.toThrow('timed out after 60 ms waiting for never: Error: not yet');
  });

  it('stops at once on GiveUp', async () => {
    let calls = 0;
    await expect(
      eventually('a dead process', () => {
        calls++;
        throw new GiveUp('ingest 42 is not running');
      }),
    ).rejects.toThrow(GiveUp);
    expect(calls).toBe(1);
  });
});
