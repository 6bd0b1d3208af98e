// First: SIGTERM/SIGINT are caught from here on, while the modules below load (tens of ms).
import { stopSignals } from '@tally/lifecycle/process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { keyLayout, LeaseHeldError, WriterLease } from '@tally/aggregation';
import { ensureFifo, FifoReplacedError, FifoWriter } from '@tally/fifo';
import { Lifecycle } from '@tally/lifecycle';
import { loadConfigOrExit, redactUserInfo, SettingError } from '@tally/settings';
import pino from 'pino';
import { CommandSource, exitCodeFor } from './app/jobs/command/command-source';
import { loadConfig, type ProducerConfig } from './app/config';
import { createLineGenerator } from './app/jobs/generator/generator';
import { Producer } from './app/jobs/generator/producer';
import { createProducerRedis, StreamSink } from './app/outputs/stream/stream-sink';

const SUMMARY_INTERVAL_MS = 5_000;

const config = loadConfigOrExit('producer', () => loadConfig(process.env));
const logger = pino({ base: { app: 'producer' } });

/** What main drives: the built-in generator or GENERATOR_CMD. */
interface Job {
  /** Resolves with the exit status once the job has ended or stopped. */
  run(): Promise<number>;
  stop(): void;
  progress(): Record<string, number>;
}

/** Where the lines go: the FIFO or the Redis stream. Both take lines or whole-line bytes. */
interface Output {
  write(input: readonly string[] | Buffer): Promise<void>;
  close(): Promise<void>;
  /** True while the output waits (no FIFO reader; a full stream or Redis away). */
  readonly isWaiting: boolean;
}

function fifoOutput(fifoPath: string): Output {
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
 * The stream output, once this process holds the lease on its PRODUCER_ID (waiting while
 * Redis is away or a killed holder's lease lapses). Exits 1 with one line when another live
 * producer uses the id.
 */
async function streamOutput(settings: ProducerConfig, life: Lifecycle): Promise<Output> {
  const producerId =
    settings.producerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const keys = keyLayout(settings.keyPrefix);
  const redis = createProducerRedis(settings.redisUrl);
  redis.on('error', () => undefined); // each wait is logged once by the lease or the sink
  life.defer(() =>
    redis.quit().then(
      () => undefined,
      () => redis.disconnect(),
    ),
  );
  let lease: WriterLease;
  try {
    lease = await life.during(
      WriterLease.acquire(redis, keys, 'producer', producerId, {
        leaseMs: settings.idLeaseMs,
        signal: life.abortSignal,
        onWait: (reason, detail) =>
          logger.warn(
            { event: 'lease_wait', producerId, reason, detail: redactUserInfo(detail) },
            reason === 'held'
              ? 'another process holds PRODUCER_ID; waiting for its lease to lapse'
              : 'waiting for Redis to take the lease on PRODUCER_ID',
          ),
      }),
    );
  } catch (error) {
    if (error instanceof LeaseHeldError) {
      process.stderr.write(`producer: ${error.message}; stop it or set another PRODUCER_ID\n`);
      process.exit(1);
    }
    throw error;
  }
  life.defer(() => lease.release());
  lease.renewEvery();
  lease.onLost((reason) => {
    logger.fatal({ event: 'lease_lost', producerId, reason }, 'lost the lease on PRODUCER_ID');
    process.stderr.write(
      `producer: another process took PRODUCER_ID "${producerId}" (${reason}); stopping\n`,
    );
    void life.fail(1);
  });
  logger.info(
    {
      producerId,
      continuesAtSeq: lease.lastSeq + 1,
      stream: keys.stream,
      maxLength: settings.streamMaxLength,
    },
    'stream',
  );
  return new StreamSink(redis, keys, {
    producerId,
    lease,
    entryLines: settings.streamEntryLines,
    maxLength: settings.streamMaxLength,
    onWait: (reason, detail) =>
      logger.info({ reason, detail }, 'waiting: the stream is full or Redis is away'),
  });
}

function generatorJob(settings: ProducerConfig, writer: Output): Job {
  const { ratePerSecond, count, seed, corruptRatio } = settings;
  const nextLine = createLineGenerator({ seed, corruptRatio });
  const producer = new Producer({ ratePerSecond, count, nextLine, sink: writer });
  return {
    run: async () => {
      logger.info(await producer.run(), 'finished');
      return 0;
    },
    stop: () => producer.stop(),
    progress: () => ({ ...producer.progress }),
  };
}

function commandJob(command: string, writer: Output): Job {
  const source = new CommandSource(command, writer);
  return {
    run: async () => {
      const outcome = await source.run();
      const code = exitCodeFor(outcome);
      if (code === 0) logger.info(outcome, 'generator command ended');
      else logger.error(outcome, 'generator command failed');
      return code;
    },
    stop: () => source.stop(),
    progress: () => ({ linesWritten: source.linesForwarded }),
  };
}

/**
 * On a second SIGTERM/SIGINT: die by that signal. Not process.exit(): a write blocked on a full
 * pipe keeps a libuv thread inside the kernel, and Node waits for those threads at exit.
 */
function exitNow(signal: NodeJS.Signals): void {
  logger.warn({ signal }, 'second signal: exiting without finishing the write in progress');
  logger.flush(() => {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
}

async function main(life: Lifecycle): Promise<void> {
  let fifo: 'created' | 'existing' | undefined;
  if (config.transport === 'fifo') {
    try {
      fifo = await life.during(ensureFifo(config.fifoPath));
    } catch (error) {
      if (!(error instanceof SettingError)) throw error;
      process.stderr.write(`producer: ${error.message}\n`);
      process.exit(1);
    }
  }
  const { generatorCmd, ratePerSecond, count, corruptRatio, seed, seedFromClock } = config;
  const target =
    config.transport === 'fifo'
      ? { fifoPath: config.fifoPath, fifo }
      : { transport: config.transport, keyPrefix: config.keyPrefix };
  logger.info(
    generatorCmd
      ? { ...target, generatorCmd }
      : { ...target, ratePerSecond, count, corruptRatio, seed, seedFromClock },
    'starting',
  );

  const writer =
    config.transport === 'fifo' ? fifoOutput(config.fifoPath) : await streamOutput(config, life);
  const job = generatorCmd ? commandJob(generatorCmd, writer) : generatorJob(config, writer);

  const summary = setInterval(
    () => logger.info({ ...job.progress(), waiting: writer.isWaiting }, 'progress'),
    SUMMARY_INTERVAL_MS,
  );
  life.defer(() => clearInterval(summary));
  const done = (async () => {
    const code = await job.run();
    await writer.close();
    return code;
  })();
  life.running(async () => {
    job.stop();
    // Releases a write that waits for a reader. Its outcome is awaited (and reported) below.
    writer.close().catch(() => undefined);
    await done;
  });
  const code = await done;
  await life.finish(code);
}

const life = new Lifecycle({
  signals: stopSignals,
  exit: (code) => logger.flush(() => process.exit(code)),
  onStop: (signal, phase) =>
    logger.info(
      { signal, phase },
      phase === 'running'
        ? 'stopping: finishing the write in progress (signal again to exit at once)'
        : 'stopping during start-up; nothing was written',
    ),
  onRepeat: exitNow,
  onCleanupError: (error) => logger.error({ err: error }, 'stop step failed'),
});
main(life).catch((error: unknown) => {
  if (error instanceof FifoReplacedError) {
    // FIFO_PATH stopped being a FIFO while it ran: a setting gone invalid, said in one line.
    process.stderr.write(`producer: ${error.message}; stopping: FIFO_PATH must stay a FIFO\n`);
  }
  logger.fatal({ err: error }, 'producer failed');
  void life.fail(1);
});
