import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { keyLayout } from '@tally/aggregation';
import { ensureFifo, FifoWriter } from '@tally/fifo';
import { loadConfigOrExit, SettingError } from '@tally/settings';
import pino from 'pino';
import { CommandSource, exitCodeFor } from './app/command-source';
import { loadConfig, type ProducerConfig } from './app/config';
import { createLineGenerator } from './app/generator';
import { Producer } from './app/producer';
import { createProducerRedis, StreamSink } from './app/stream-sink';

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

function streamOutput(settings: ProducerConfig): Output {
  const producerId =
    settings.producerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const keys = keyLayout(settings.keyPrefix);
  logger.info({ producerId, stream: keys.stream, maxLength: settings.streamMaxLength }, 'stream');
  return new StreamSink(createProducerRedis(settings.redisUrl), keys, {
    producerId,
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

async function main(): Promise<number> {
  let fifo: 'created' | 'existing' | undefined;
  if (config.transport === 'fifo') {
    try {
      fifo = await ensureFifo(config.fifoPath);
    } catch (error) {
      if (!(error instanceof SettingError)) throw error;
      process.stderr.write(`producer: ${error.message}\n`);
      return 1;
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

  const writer = config.transport === 'fifo' ? fifoOutput(config.fifoPath) : streamOutput(config);
  const job = generatorCmd ? commandJob(generatorCmd, writer) : generatorJob(config, writer);

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) return exitNow(signal);
    logger.info(
      { signal },
      'stopping: finishing the write in progress (signal again to exit at once)',
    );
    job.stop();
    // Releases a write that waits for a reader. Its outcome is awaited (and reported) below.
    writer.close().catch(() => undefined);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const summary = setInterval(
    () => logger.info({ ...job.progress(), waiting: writer.isWaiting }, 'progress'),
    SUMMARY_INTERVAL_MS,
  );
  try {
    const code = await job.run();
    await writer.close();
    return code;
  } finally {
    clearInterval(summary);
  }
}

main().then(
  (code) => logger.flush(() => process.exit(code)),
  (error: unknown) => {
    logger.fatal({ err: error }, 'producer failed');
    logger.flush(() => process.exit(1));
  },
);
