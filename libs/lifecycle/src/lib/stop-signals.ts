/** The signals that ask a tally process to stop: `docker stop`, a supervisor, Ctrl-C. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** What StopSignals listens on: `process`, or an EventEmitter in tests. */
export interface SignalSource {
  on(signal: StopSignal, listener: () => void): unknown;
}

/**
 * SIGTERM and SIGINT caught from the moment this object exists, and remembered, so that a
 * signal that comes while the app is still loading its modules or starting up is not lost
 * (Node's default action would end the process at once, with whatever it held). Create it
 * as the very first thing a process does (`@tally/lifecycle/process`); the app's
 * `Lifecycle` then decides what a signal means at each moment.
 *
 * Bound: it keeps one listener list and the first signal; nothing grows with signals.
 */
export class StopSignals {
  private first: StopSignal | undefined;
  private count = 0;
  private readonly listeners: ((signal: StopSignal, count: number) => void)[] = [];

  constructor(source: SignalSource) {
    for (const signal of STOP_SIGNALS) source.on(signal, () => this.receive(signal));
  }

  /** The first stop signal received, if any. */
  get received(): StopSignal | undefined {
    return this.first;
  }

  /**
   * Calls `listener` for every stop signal, with how many have come so far (1 for the first);
   * a signal that came before this call is passed on at once.
   */
  listen(listener: (signal: StopSignal, count: number) => void): void {
    this.listeners.push(listener);
    if (this.first !== undefined) listener(this.first, this.count);
  }

  private receive(signal: StopSignal): void {
    this.first ??= signal;
    this.count++;
    for (const listener of this.listeners) listener(signal, this.count);
  }
}
