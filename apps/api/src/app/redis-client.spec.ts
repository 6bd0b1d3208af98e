import { API_REDIS_OPTIONS, reconnectDelayMs } from './redis-client';

describe('API_REDIS_OPTIONS', () => {
  it('fails commands at once instead of queueing them while disconnected', () => {
    expect(API_REDIS_OPTIONS).toMatchObject({
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
    });
  });

  it('bounds connecting and every command well under the 2 s answer limit', () => {
    expect(API_REDIS_OPTIONS.commandTimeout).toBeLessThanOrEqual(1000);
    expect(API_REDIS_OPTIONS.connectTimeout).toBeLessThanOrEqual(1000);
  });

  it('keeps reconnecting in the background', () => {
    expect(API_REDIS_OPTIONS.retryStrategy).toBe(reconnectDelayMs);
  });
});

describe('reconnectDelayMs', () => {
  it.each([
    [1, 100],
    [2, 200],
    [9, 900],
    [10, 1000],
    [1000, 1000],
  ])('waits %i attempts -> %i ms, never giving up', (times, ms) => {
    expect(reconnectDelayMs(times)).toBe(ms);
  });
});
