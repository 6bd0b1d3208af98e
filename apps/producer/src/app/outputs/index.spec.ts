import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { FifoReplacedError } from '@tally/fifo';
import { makeTempDir, removeTempDir } from '@tally/fifo/testing';
import { eventually } from '@tally/testing';
import { Lifecycle, StopSignals } from '@tally/lifecycle';
import pino from 'pino';
import { loadConfig } from '../config';
import { createOutput, whyOutputFailed } from './index';
import { isOutputClosed } from './output-closed';

/** These waits watch in-process state that can change within milliseconds. */
const POLL = { everyMs: 2, timeoutMs: 10_000 };

const deps = () => ({
  logger: pino({ level: 'silent' }),
  life: new Lifecycle({ signals: new StopSignals(new EventEmitter()), exit: () => undefined }),
});

describe('createOutput', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('makes FIFO_PATH a FIFO for TRANSPORT=fifo and says whether it created it', async () => {
    const config = loadConfig({ FIFO_PATH: join(dir, 'events.fifo') });
    const first = await createOutput(config, deps());
    expect(first.target).toEqual({ fifoPath: config.fifoPath, fifo: 'created' });
    const again = await createOutput(config, deps());
    expect(again.target).toEqual({ fifoPath: config.fifoPath, fifo: 'existing' });
  });

  it('gives a FIFO output whose close releases a write that waits for a reader', async () => {
    const config = loadConfig({ FIFO_PATH: join(dir, 'events.fifo') });
    const output = await (await createOutput(config, deps())).open();
    expect(output.isWaiting).toBe(false);
    const write = output.write(['{"a":1}']);
    await eventually('the write to wait for a reader', () => output.isWaiting, POLL);
    await output.close();
    const error = await write.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isOutputClosed(error)).toBe(true);
  });

  it('names the stream for TRANSPORT=redis-stream without connecting yet', async () => {
    const config = loadConfig({ TRANSPORT: 'redis-stream', KEY_PREFIX: 'unit' });
    const chosen = await createOutput(config, deps());
    expect(chosen.target).toEqual({ transport: 'redis-stream', keyPrefix: 'unit' });
  });
});

describe('whyOutputFailed', () => {
  it('says that FIFO_PATH must stay a FIFO when it was replaced', () => {
    const error = new FifoReplacedError('/tmp/events.fifo', 'a regular file');
    expect(whyOutputFailed(error)).toBe(`${error.message}; stopping: FIFO_PATH must stay a FIFO`);
  });

  it('has nothing to say of other errors', () => {
    expect(whyOutputFailed(new Error('boom'))).toBeUndefined();
  });
});
