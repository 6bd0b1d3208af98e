import type { Lifecycle } from '@tally/lifecycle';
import type { Logger } from 'pino';

/**
 * Where the lines go (TRANSPORT): the FIFO or the Redis stream. Both take lines (each gets a
 * `\n`) or whole `\n`-terminated lines as bytes (GENERATOR_CMD), and wait (never drop) while
 * they cannot deliver. A write after `close()` began rejects with an error that
 * `isOutputClosed` (output-closed.ts) recognises: during a stop, the end of the job.
 */
export interface Output {
  write(input: readonly string[] | Buffer): Promise<void>;
  /** Delivers what was written before, then takes no more writes; releases a waiting write. */
  close(): Promise<void>;
  /** True while the output waits (no FIFO reader; a full stream or Redis away). */
  readonly isWaiting: boolean;
}

/** The output TRANSPORT chose, its setting checked, not opened yet. */
export interface ChosenOutput {
  /** Where the lines go, for the `starting` log line. */
  readonly target: Readonly<Record<string, unknown>>;
  /** Opens it: the stream output first takes the lease on PRODUCER_ID, waiting as needed. */
  open(): Promise<Output>;
}

/** What an output needs from the process. */
export interface OutputDeps {
  readonly logger: Logger;
  /** Its start-up steps are awaited through `life.during`; what they set up, `life.defer`red. */
  readonly life: Lifecycle;
}
