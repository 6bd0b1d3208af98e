import {
  type Env,
  readDecimal,
  readFifoPath,
  readInteger,
  readRedisSettings,
  readString,
  readTransport,
  readWriterId,
  readWriterLease,
  SHARED_DEFAULTS,
  type Transport,
} from '@tally/settings';

/** Every default in one place (SPEC §5); the seed's default is derived from the clock. */
export const DEFAULTS = Object.freeze({
  FIFO_PATH: SHARED_DEFAULTS.FIFO_PATH,
  /** Events per second: the classic blackbox emits a handful per second. */
  RATE: 10,
  /** 0 = forever. */
  COUNT: 0,
  /** Share of corrupt lines, like the blackbox's occasional garbage. */
  CORRUPT_RATIO: 0.05,
  TRANSPORT: SHARED_DEFAULTS.TRANSPORT,
  REDIS_URL: SHARED_DEFAULTS.REDIS_URL,
  KEY_PREFIX: SHARED_DEFAULTS.KEY_PREFIX,
  /** redis-stream: entries the stream may hold before the producer waits (~1M lines at 1000). */
  STREAM_MAX_LEN: 1000,
  /** redis-stream: most lines per entry (an entry is also cut before 64 KiB, at a line end). */
  STREAM_ENTRY_LINES: 1000,
  /** redis-stream: how long this producer's hold on its PRODUCER_ID outlives its last renewal. */
  ID_LEASE_MS: SHARED_DEFAULTS.ID_LEASE_MS,
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
  /** TRANSPORT: `fifo` (FIFO_PATH) or `redis-stream` (REDIS_URL, KEY_PREFIX). */
  readonly transport: Transport;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  /** STREAM_MAX_LEN: entries in the stream at which the producer waits for the consumers. */
  readonly streamMaxLength: number;
  /** STREAM_ENTRY_LINES: most lines per stream entry. */
  readonly streamEntryLines: number;
  /** PRODUCER_ID: names this producer's entry sequence in Redis; unset = a fresh id per start. */
  readonly producerId: string | undefined;
  /** ID_LEASE_MS (redis-stream): see the ingest's setting of the same name. */
  readonly idLeaseMs: number;
}

/**
 * Reads the producer's settings from `env`. Pure but for `nowMs`, used only for a default seed.
 * @throws SettingError naming the first invalid variable.
 */
export function loadConfig(env: Env, nowMs: () => number = Date.now): Readonly<ProducerConfig> {
  const fifoPath = readFifoPath(env);
  const ratePerSecond = readInteger(env, 'RATE', DEFAULTS.RATE, { min: 0, max: MAX_RATE });
  const count = readInteger(env, 'COUNT', DEFAULTS.COUNT, { min: 0, max: Number.MAX_SAFE_INTEGER });
  const corruptRatio = readDecimal(env, 'CORRUPT_RATIO', DEFAULTS.CORRUPT_RATIO, {
    min: 0,
    max: 1,
  });
  const seedFromClock = env['SEED'] === undefined;
  const seed = readInteger(env, 'SEED', Math.floor(nowMs()) % 2 ** 32, { min: 0, max: MAX_SEED });
  const command = readString(env, 'GENERATOR_CMD', '', { allowEmpty: true });
  const producerId = readWriterId(env, 'PRODUCER_ID');
  return Object.freeze({
    fifoPath,
    ratePerSecond,
    count,
    corruptRatio,
    seed,
    seedFromClock,
    generatorCmd: command === '' ? undefined : command,
    transport: readTransport(env),
    ...readRedisSettings(env),
    streamMaxLength: readInteger(env, 'STREAM_MAX_LEN', DEFAULTS.STREAM_MAX_LEN, {
      min: 1,
      max: 100_000_000,
    }),
    streamEntryLines: readInteger(env, 'STREAM_ENTRY_LINES', DEFAULTS.STREAM_ENTRY_LINES, {
      min: 1,
      max: 100_000,
    }),
    producerId,
    idLeaseMs: readWriterLease(env),
  });
}
