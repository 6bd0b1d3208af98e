import { RollUpQueue } from './roll-up';

describe('RollUpQueue', () => {
  const W = { retentionSeconds: 3600 }; // ladder 1, 4, 16, 64, 256, 1024

  it('notes every coarse bucket holding a second, once', () => {
    const queue = new RollUpQueue(W);
    queue.note([1000, 1000, 1001]);
    // 1000 and 1001 share every coarse bucket (1000 is a multiple of 4 and 8, not of 16).
    expect(queue.size).toBe(5);
    queue.note([1004]);
    expect(queue.size).toBe(6); // a new 4-second bucket; the coarser ones are the same
  });

  it('hands out a bucket once its last second is more than the grace in the past, smallest first', () => {
    const queue = new RollUpQueue(W, 2);
    queue.note([1024, 1024 + 5000]); // the stream is far ahead: the clock decides
    queue.takeClosed(0);
    expect(queue.takeClosed(1029)).toEqual([]); // 1024..1027 closed at 1027; grace until 1029
    expect(queue.takeClosed(1030)).toEqual([{ size: 4, start: 1024 }]);
    expect(queue.takeClosed(1030)).toEqual([]);
    expect(queue.takeClosed(1024 + 1023 + 3)).toEqual([
      { size: 16, start: 1024 },
      { size: 64, start: 1024 },
      { size: 256, start: 1024 },
      { size: 1024, start: 1024 },
    ]);
    expect(queue.size).toBe(5); // the buckets of 6024, still open
  });

  it('waits for the stream to move past a bucket, not only the clock (a replayed backlog)', () => {
    const queue = new RollUpQueue(W, 2);
    queue.note([1024, 1025]);
    expect(queue.takeClosed(1_000_000)).toEqual([]); // the stream is still in 1024..1027
    queue.note([1031]);
    expect(queue.takeClosed(1_000_000)).toEqual([{ size: 4, start: 1024 }]);
  });

  it('notes nothing with a retention below 4 s (one-second buckets only)', () => {
    const queue = new RollUpQueue({ retentionSeconds: 3 });
    queue.note([1, 2, 3]);
    expect(queue.size).toBe(0);
  });
});
