import { ensureFifo, FifoReplacedError, FifoWriter } from '@tally/fifo';
import { SettingError } from '@tally/settings';
import { refuseToStart } from '../../say-on-stderr';
import type { ChosenOutput, Output, OutputDeps } from '../output';

/**
 * TRANSPORT=fifo: makes sure FIFO_PATH is a FIFO (creates it when nothing is there). Exits 1
 * with one line on stderr when it cannot be one (a file or a symlink there, no directory).
 */
export async function chooseFifoOutput(
  fifoPath: string,
  { logger, life }: OutputDeps,
): Promise<ChosenOutput> {
  let fifo: 'created' | 'existing';
  try {
    fifo = await life.during(ensureFifo(fifoPath));
  } catch (error) {
    if (!(error instanceof SettingError)) throw error;
    refuseToStart(error.message);
  }
  return {
    target: { fifoPath, fifo },
    open: async () => fifoOutput(fifoPath, logger),
  };
}

/** Writes to FIFO_PATH once a reader has it open (FifoWriter), logging when it waits for one. */
function fifoOutput(fifoPath: string, logger: OutputDeps['logger']): Output {
  const writer = new FifoWriter(fifoPath, {
    onWaitingForReader: () => logger.info('waiting for a reader to open the FIFO'),
    onReaderConnected: () => logger.info('a reader has the FIFO open'),
  });
  return {
    write: (input) => writer.write(input),
    close: () => writer.close(),
    get isWaiting() {
      return writer.isWaitingForReader;
    },
  };
}

/**
 * The stderr line for a FIFO output's failure that is a setting gone invalid (FIFO_PATH
 * stopped being a FIFO while the producer ran), or undefined for any other error.
 */
export function whyFifoFailed(error: unknown): string | undefined {
  return error instanceof FifoReplacedError
    ? `${error.message}; stopping: FIFO_PATH must stay a FIFO`
    : undefined;
}
