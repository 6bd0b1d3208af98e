import { Outage } from './outage';

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
