import type { ProducerConfig } from '../../config';
import type { Job, JobDeps } from '../job';
import { createLineGenerator } from './generator';
import { Producer } from './producer';

/** The settings the generator job goes by. */
export type GeneratorJobSettings = Pick<
  ProducerConfig,
  'ratePerSecond' | 'count' | 'seed' | 'corruptRatio'
>;

/** The built-in generator: seeded lines at RATE, up to COUNT; exits 0 once done or stopped. */
export function generatorJob(settings: GeneratorJobSettings, { logger, output }: JobDeps): Job {
  const { ratePerSecond, count, seed, corruptRatio } = settings;
  const nextLine = createLineGenerator({ seed, corruptRatio });
  const producer = new Producer({ ratePerSecond, count, nextLine, sink: output });
  return {
    run: async () => {
      logger.info(await producer.run(), 'finished');
      return 0;
    },
    stop: () => producer.stop(),
    progress: () => ({ ...producer.progress }),
  };
}
