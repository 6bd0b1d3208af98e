/** Time as the producer's loop sees it; tests pass a fake one to check the schedule. */
export interface Clock {
  /** Monotonic milliseconds (not wall time: the schedule must not jump with NTP). */
  nowMs(): number;
  /** Waits `ms`, or less when `signal` aborts. Never rejects. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  nowMs: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    }),
};
