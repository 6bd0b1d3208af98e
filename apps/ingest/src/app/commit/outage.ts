/**
 * Whether Redis work is failing right now, since when and why, and when a failure is worth a
 * log line: the first of an outage, then one every 10 s while it lasts (no log storm). Kept by
 * the Committer, for its writes and for a source's reads.
 */
export class Outage {
  private since: number | null = null;
  private lastMessage: string | undefined;
  private lastLoggedAt = 0;

  /** @param clockMs a monotonic clock (durations must not jump with the wall clock) */
  constructor(private readonly clockMs: () => number = () => performance.now()) {}

  /** True from a failed attempt until the next success. */
  get failing(): boolean {
    return this.since !== null;
  }

  /** Why the last attempt failed, while failing. */
  get lastError(): string | undefined {
    return this.failing ? this.lastMessage : undefined;
  }

  /**
   * Records a failed attempt (`attempt` counts from 0 for each batch or read).
   * @returns how long the outage has lasted when this failure should be logged, else undefined
   */
  failed(error: Error, attempt: number): number | undefined {
    const now = this.clockMs();
    this.lastMessage = error.message;
    if (this.since === null) this.since = now;
    if (attempt !== 0 && now - this.lastLoggedAt < 10_000) return undefined;
    this.lastLoggedAt = now;
    return now - this.since;
  }

  /** Records a success. @returns how long the outage lasted when one just ended, else undefined */
  succeeded(): number | undefined {
    if (this.since === null) return undefined;
    const lasted = this.clockMs() - this.since;
    this.since = null;
    return lasted;
  }
}

/** The wait before retry `attempt` (from 0) of a failed Redis step: doubling from `baseMs`, at most `maxMs`. */
export function retryDelayMs(attempt: number, baseMs = 50, maxMs = 2_000): number {
  return Math.min(baseMs * 2 ** Math.min(attempt, 10), maxMs);
}
