import { Lifecycle, type StopSignals } from '@tally/lifecycle';
import type { Logger } from 'pino';
import { whyOutputFailed } from './outputs';
import { sayOnStderr } from './say-on-stderr';

/**
 * The producer's start-up and stop (see Lifecycle): one log line when a stop begins, a second
 * signal ends the process at once, and the logs are flushed before it exits.
 */
export function createLifecycle(logger: Logger, signals: StopSignals): Lifecycle {
  return new Lifecycle({
    signals,
    exit: (code) => logger.flush(() => process.exit(code)),
    onStop: (signal, phase) =>
      logger.info(
        { signal, phase },
        phase === 'running'
          ? 'stopping: finishing the write in progress (signal again to exit at once)'
          : 'stopping during start-up; nothing was written',
      ),
    onRepeat: (signal) => exitNow(logger, signal),
    onCleanupError: (error) => logger.error({ err: error }, 'stop step failed'),
  });
}

/**
 * The producer failed: says why on stderr when an output's setting went invalid (FIFO_PATH
 * replaced), logs it and exits 1.
 */
export function stopOnFailure(error: unknown, logger: Logger, life: Lifecycle): void {
  const why = whyOutputFailed(error);
  if (why !== undefined) sayOnStderr(why);
  logger.fatal({ err: error }, 'producer failed');
  void life.fail(1);
}

/**
 * On a second SIGTERM/SIGINT: die by that signal. Not process.exit(): a write blocked on a full
 * pipe keeps a libuv thread inside the kernel, and Node waits for those threads at exit.
 */
function exitNow(logger: Logger, signal: NodeJS.Signals): void {
  logger.warn({ signal }, 'second signal: exiting without finishing the write in progress');
  logger.flush(() => {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
}
