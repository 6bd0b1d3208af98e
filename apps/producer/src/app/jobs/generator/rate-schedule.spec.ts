import { RateSchedule } from './rate-schedule';

describe('RateSchedule', () => {
  it('spaces events 1000/RATE ms apart', () => {
    const schedule = new RateSchedule(10, 0);
    expect(schedule.due(0)).toBe(1);
    schedule.take(1);
    expect(schedule.due(50)).toBe(0);
    expect(schedule.msUntilNext(50)).toBe(50);
    expect(schedule.due(100)).toBe(1);
    schedule.take(1);
    expect(schedule.due(350)).toBe(2); // events 2 and 3 (due at 200 and 300)
  });

  it('does not drift when woken late', () => {
    const schedule = new RateSchedule(4, 1000);
    let written = 0;
    for (let now = 1000; now <= 11_005; now += 7) {
      const n = schedule.due(now);
      schedule.take(n);
      written += n;
    }
    expect(written).toBe(41); // due at 1000, 1250, …, 11000
  });

  it('allows at most one second of events after a stall', () => {
    const schedule = new RateSchedule(100, 0);
    schedule.take(schedule.due(0));
    expect(schedule.due(60_000)).toBe(100);
    schedule.take(100);
    // Then back to the normal pace: the next event is 10 ms later.
    expect(schedule.due(60_000)).toBe(0);
    expect(schedule.msUntilNext(60_000)).toBeCloseTo(10);
  });

  it('handles a rate below one event per second', () => {
    const schedule = new RateSchedule(0.5, 0);
    schedule.take(schedule.due(0));
    expect(schedule.msUntilNext(0)).toBe(2000);
  });
});
