import type { Logger } from 'pino';
import type { Job } from './jobs/job';
import type { Output } from './outputs/output';

/** How often the `progress` line is logged (never a line per event). */
const SUMMARY_INTERVAL_MS = 5_000;

/**
 * Logs `progress` every 5 s: the job's counts and whether the output waits.
 * @returns what stops it (for `Lifecycle.defer`).
 */
export function logProgressEvery(
  logger: Logger,
  job: Job,
  output: Output,
  intervalMs = SUMMARY_INTERVAL_MS,
): () => void {
  const summary = setInterval(
    () => logger.info({ ...job.progress(), waiting: output.isWaiting }, 'progress'),
    intervalMs,
  );
  return () => clearInterval(summary);
}
