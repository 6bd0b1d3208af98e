import type { ProducerConfig } from '../config';
import { chooseFifoOutput, whyFifoFailed } from './fifo/fifo-output';
import type { ChosenOutput, OutputDeps } from './output';
import { chooseStreamOutput } from './stream/stream-output';

export type { ChosenOutput, Output, OutputDeps } from './output';

/**
 * The output TRANSPORT names, its setting checked (FIFO_PATH made a FIFO: exits 1 with one
 * line on stderr when it cannot be), ready to `open()` once the `starting` line is logged.
 */
export function createOutput(config: ProducerConfig, deps: OutputDeps): Promise<ChosenOutput> {
  return config.transport === 'fifo'
    ? chooseFifoOutput(config.fifoPath, deps)
    : Promise.resolve(chooseStreamOutput(config, deps));
}

/** The stderr line for an output's failure that is a setting gone invalid, if it is one. */
export function whyOutputFailed(error: unknown): string | undefined {
  return whyFifoFailed(error);
}
