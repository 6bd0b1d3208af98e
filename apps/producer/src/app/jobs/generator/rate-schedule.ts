/**
 * When the next events are due, for RATE events per second: event k (from 0) is due at
 * `anchor + k * 1000 / rate` ms, so the rate holds over time without drift from timer jitter.
 *
 * After a stall (a full pipe, no reader) the schedule does not try to catch up more than one
 * second's worth of events in a burst: it re-anchors instead, so a reader that comes back is
 * not flooded with the backlog of a long pause.
 */
export class RateSchedule {
  private anchorMs: number;
  private taken = 0;
  private readonly intervalMs: number;
  private readonly maxBurst: number;

  /** @param ratePerSecond events per second, > 0. @param startMs the first event's due time. */
  constructor(ratePerSecond: number, startMs: number) {
    this.intervalMs = 1000 / ratePerSecond;
    this.maxBurst = Math.max(1, Math.ceil(ratePerSecond));
    this.anchorMs = startMs;
  }

  /** How many events may be written at `nowMs` (at most one second's worth). */
  due(nowMs: number): number {
    if (nowMs < this.nextDueMs()) return 0;
    const dueSinceAnchor = Math.floor((nowMs - this.anchorMs) / this.intervalMs) + 1;
    const backlog = dueSinceAnchor - this.taken;
    if (backlog > this.maxBurst) {
      // Behind by more than a second: forget the rest, keep exactly one second's worth due.
      this.anchorMs = nowMs - (this.maxBurst - 1) * this.intervalMs;
      this.taken = 0;
      return this.maxBurst;
    }
    return backlog;
  }

  /** Records that `n` events were written. */
  take(n: number): void {
    this.taken += n;
  }

  /** Milliseconds from `nowMs` until the next event is due (0 when one is due now). */
  msUntilNext(nowMs: number): number {
    return Math.max(0, this.nextDueMs() - nowMs);
  }

  private nextDueMs(): number {
    return this.anchorMs + this.taken * this.intervalMs;
  }
}
