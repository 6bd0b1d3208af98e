import pino from 'pino';
import { loadConfig } from '../config';
import type { Output } from '../outputs/output';
import { createJob, jobSettings } from './index';

/** An output that keeps what it is given, as the bytes that would reach the ingest. */
class CollectingOutput implements Output {
  readonly isWaiting = false;
  private readonly parts: Buffer[] = [];
  async write(input: readonly string[] | Buffer): Promise<void> {
    this.parts.push(Buffer.isBuffer(input) ? input : Buffer.from(`${input.join('\n')}\n`));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  text(): string {
    return Buffer.concat(this.parts).toString();
  }
}

/** A logger whose JSON lines are read back. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ base: null }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, messages: () => lines.map((line) => line['msg']) };
}

describe('createJob', () => {
  it('runs the built-in generator to COUNT and exits 0 when GENERATOR_CMD is unset', async () => {
    const { logger, messages } = capturedLogger();
    const output = new CollectingOutput();
    const job = createJob(loadConfig({ COUNT: '3', RATE: '0', SEED: '7' }), { logger, output });
    await expect(job.run()).resolves.toBe(0);
    expect(output.text().split('\n')).toHaveLength(4);
    expect(job.progress()).toEqual({ linesWritten: 3, corruptWritten: expect.any(Number) });
    expect(messages()).toEqual(['finished']);
  });

  it('forwards GENERATOR_CMD and exits 0 when the command does', async () => {
    const { logger, messages } = capturedLogger();
    const output = new CollectingOutput();
    const job = createJob(loadConfig({ GENERATOR_CMD: "printf 'a\\nb'" }), { logger, output });
    await expect(job.run()).resolves.toBe(0);
    expect(output.text()).toBe('a\nb\n');
    expect(job.progress()).toEqual({ linesWritten: 2 });
    expect(messages()).toEqual(['generator command ended']);
  });

  it('exits 1 and logs an error when GENERATOR_CMD fails', async () => {
    const { logger, messages } = capturedLogger();
    const job = createJob(loadConfig({ GENERATOR_CMD: 'exit 3' }), {
      logger,
      output: new CollectingOutput(),
    });
    await expect(job.run()).resolves.toBe(1);
    expect(messages()).toEqual(['generator command failed']);
  });
});

describe('jobSettings', () => {
  it('names only GENERATOR_CMD when it is set', () => {
    expect(jobSettings(loadConfig({ GENERATOR_CMD: 'cat x', RATE: '5' }))).toEqual({
      generatorCmd: 'cat x',
    });
  });

  it('names the generator settings and where the seed came from otherwise', () => {
    expect(jobSettings(loadConfig({ RATE: '5', COUNT: '2', SEED: '9' }))).toEqual({
      ratePerSecond: 5,
      count: 2,
      corruptRatio: 0.05,
      seed: 9,
      seedFromClock: false,
    });
  });
});
