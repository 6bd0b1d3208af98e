import { Outage, retryDelayMs } from './outage';

describe('Outage', () => {
  it('logs the first failure of an outage, then one every 10 s, and reports how long it lasted', () => {
    let now = 1_000;
    const outage = new Outage(() => now);
    expect(outage.failing).toBe(false);
    expect(outage.failed(new Error('down'), 0)).toBe(0);
    now += 3_000;
    expect(outage.failed(new Error('still down'), 1)).toBeUndefined();
    expect(outage.lastError).toBe('still down');
    now += 7_000;
    expect(outage.failed(new Error('still down'), 2)).toBe(10_000);
    now += 500;
    expect(outage.succeeded()).toBe(10_500);
    expect(outage.failing).toBe(false);
    expect(outage.lastError).toBeUndefined();
    expect(outage.succeeded()).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([0, 1, 2, 3, 5, 6, 20].map((a) => retryDelayMs(a))).toEqual([
      50, 100, 200, 400, 1600, 2000, 2000,
    ]);
    expect(retryDelayMs(3, 10, 1_000)).toBe(80);
  });
});
