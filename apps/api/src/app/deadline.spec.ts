import { withDeadline } from './deadline';
import { DeadlineExceededError } from './errors';

describe('withDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves with the result of work that settles in time', async () => {
    await expect(withDeadline(Promise.resolve(42), 1000)).resolves.toBe(42);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('passes on the rejection of work that fails in time', async () => {
    await expect(withDeadline(Promise.reject(new Error('boom')), 1000)).rejects.toThrow('boom');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects with DeadlineExceededError when work has not settled at the deadline', async () => {
    const never = new Promise<number>(() => undefined);
    const result = withDeadline(never, 1500);
    jest.advanceTimersByTime(1500);
    await expect(result).rejects.toEqual(new DeadlineExceededError(1500));
    await expect(result).rejects.toThrow('no answer within 1500 ms');
  });
});
