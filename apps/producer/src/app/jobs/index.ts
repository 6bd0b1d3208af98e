import type { ProducerConfig } from '../config';
import { commandJob } from './command/command-job';
import { generatorJob } from './generator/generator-job';
import type { Job, JobDeps } from './job';

export type { Job, JobDeps } from './job';

/** GENERATOR_CMD's job when it is set, else the built-in generator's. */
export function createJob(config: ProducerConfig, deps: JobDeps): Job {
  return config.generatorCmd ? commandJob(config.generatorCmd, deps) : generatorJob(config, deps);
}

/**
 * The settings the job goes by, for the `starting` line: GENERATOR_CMD, or (without it) RATE,
 * COUNT, CORRUPT_RATIO and the seed, which it makes moot.
 */
export function jobSettings(config: ProducerConfig): Record<string, unknown> {
  const { generatorCmd, ratePerSecond, count, corruptRatio, seed, seedFromClock } = config;
  return generatorCmd
    ? { generatorCmd }
    : { ratePerSecond, count, corruptRatio, seed, seedFromClock };
}
