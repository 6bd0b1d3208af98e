import type { Logger } from 'pino';
import type { Output } from '../outputs/output';

/** What main drives: the built-in generator or GENERATOR_CMD, writing to one output. */
export interface Job {
  /** Resolves with the exit status once the job has ended or stopped. */
  run(): Promise<number>;
  /** Ends the job after the write in progress; `run()` then resolves. */
  stop(): void;
  /** Counts so far, for the `progress` line. */
  progress(): Record<string, number>;
}

/** What a job needs from the process. */
export interface JobDeps {
  readonly logger: Logger;
  readonly output: Output;
}
