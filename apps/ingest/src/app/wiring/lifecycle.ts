import { Lifecycle, type StopSignals } from '@tally/lifecycle';
import type { Logger } from 'pino';

/** The process's start-up and shutdown, logged: stops on `signals`, flushes the log on exit. */
export function createIngestLifecycle(signals: StopSignals, logger: Logger): Lifecycle {
  return new Lifecycle({
    signals,
    exit: (code) => {
      logger.flush();
      process.exit(code);
    },
    onStop: (signal, phase) =>
      logger.info(
        { event: 'shutdown', signal, phase },
        phase === 'running' ? 'shutting down' : 'stopping during start-up; nothing was read',
      ),
    onRepeat: (signal) =>
      logger.warn(
        { event: 'signal_ignored', signal },
        'already shutting down; storing what was read',
      ),
    onCleanupError: (error) =>
      logger.error(
        { event: 'shutdown_step_failed', err: (error as Error).message },
        'stop step failed',
      ),
  });
}
