/** Thrown by an {@link eventually} check to fail at once instead of polling on. */
export class GiveUp extends Error {
  override readonly name = 'GiveUp';
}

export interface EventuallyOptions {
  /** Fail after this long: 20,000 ms unless given. */
  readonly timeoutMs?: number;
  /** Pause between two checks: 25 ms unless given. */
  readonly everyMs?: number;
}

/**
 * Polls `check` until it returns something other than `undefined` or `false` and returns that,
 * or fails after the deadline with `what` (and the last error `check` threw, if any); a
 * {@link GiveUp} from `check` fails at once. The way to wait for something that has no event
 * (a counter reaching a value, a process printing a line), instead of a sleep.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: EventuallyOptions | number = {},
): Promise<T> {
  const { timeoutMs = 20_000, everyMs = 25 } =
    typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = undefined;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      last = error;
    }
    if (Date.now() > deadline) {
      const detail = last === undefined ? '' : `: ${String(last)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
