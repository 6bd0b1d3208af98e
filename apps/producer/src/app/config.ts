import { type Env, readDecimal, readInteger, readPath, readString } from '@tally/settings';

/** Every default in one place (SPEC §5); the seed's default is derived from the clock. */
export const DEFAULTS = Object.freeze({
  FIFO_PATH: '/tmp/events.fifo',
  /** Events per second: the classic blackbox emits a handful per second. */
  RATE: 10,
  /** 0 = forever. */
  COUNT: 0,
  /** Share of corrupt lines, like the blackbox's occasional garbage. */
  CORRUPT_RATIO: 0.05,
});

const MAX_RATE = 1_000_000;
const MAX_SEED = 2 ** 32 - 1;

/** The producer's settings, validated and frozen. */
export interface ProducerConfig {
  /** FIFO_PATH: the FIFO to write to (created when missing). */
  readonly fifoPath: string;
  /** RATE: events per second; 0 = as fast as the reader takes them. */
  readonly ratePerSecond: number;
  /** COUNT: lines to write, corrupt ones included; 0 = forever. */
  readonly count: number;
  /** CORRUPT_RATIO: probability, 0 to 1, that a line is corrupt. */
  readonly corruptRatio: number;
  /** SEED: the PRNG seed, 0 to 2^32-1. */
  readonly seed: number;
  /** True when SEED was unset and the seed came from the clock (log it to replay the run). */
  readonly seedFromClock: boolean;
  /**
   * GENERATOR_CMD: a command line run with `/bin/sh -c` whose stdout lines are forwarded
   * instead of generated ones; RATE, COUNT, CORRUPT_RATIO and SEED then do not apply.
   * An empty value counts as unset.
   */
  readonly generatorCmd: string | undefined;
}

/**
 * Reads the producer's settings from `env`. Pure but for `nowMs`, used only for a default seed.
 * @throws SettingError naming the first invalid variable.
 */
export function loadConfig(env: Env, nowMs: () => number = Date.now): Readonly<ProducerConfig> {
  const fifoPath = readPath(env, 'FIFO_PATH', DEFAULTS.FIFO_PATH);
  const ratePerSecond = readInteger(env, 'RATE', DEFAULTS.RATE, { min: 0, max: MAX_RATE });
  const count = readInteger(env, 'COUNT', DEFAULTS.COUNT, { min: 0, max: Number.MAX_SAFE_INTEGER });
  const corruptRatio = readDecimal(env, 'CORRUPT_RATIO', DEFAULTS.CORRUPT_RATIO, {
    min: 0,
    max: 1,
  });
  const seedFromClock = env['SEED'] === undefined;
  const seed = readInteger(env, 'SEED', Math.floor(nowMs()) % 2 ** 32, { min: 0, max: MAX_SEED });
  const command = readString(env, 'GENERATOR_CMD', '', { allowEmpty: true });
  return Object.freeze({
    fifoPath,
    ratePerSecond,
    count,
    corruptRatio,
    seed,
    seedFromClock,
    generatorCmd: command === '' ? undefined : command,
  });
}
