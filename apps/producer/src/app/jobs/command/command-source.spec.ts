import { FifoClosedError } from '@tally/fifo';
import { eventually } from '@tally/testing';
import { type ByteSink, CommandSource, exitCodeFor } from './command-source';

/** These waits watch in-process state that can change within milliseconds. */
const POLL = { everyMs: 2, timeoutMs: 10_000 };

class CollectingSink implements ByteSink {
  readonly writes: Buffer[] = [];
  inFlight = 0;
  maxInFlight = 0;

  async write(bytes: Buffer): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setImmediate(resolve)); // a write that takes a moment
    this.writes.push(bytes);
    this.inFlight--;
  }

  text(): string {
    return Buffer.concat(this.writes).toString();
  }
}

describe('CommandSource', () => {
  it("forwards a command's lines, the last unterminated one included", async () => {
    const sink = new CollectingSink();
    const outcome = await new CommandSource("printf 'a\\nb\\nc'", sink).run();
    expect(sink.text()).toBe('a\nb\nc\n');
    expect(outcome).toEqual({ exitCode: 0, signal: null, stopped: false, linesForwarded: 3 });
  });

  it('keeps CRLF and bytes that are not UTF-8 as they are', async () => {
    const sink = new CollectingSink();
    await new CommandSource("printf 'x\\r\\n\\377y\\n'", sink).run();
    expect(Buffer.concat(sink.writes)).toEqual(Buffer.from([0x78, 0x0d, 0x0a, 0xff, 0x79, 0x0a]));
  });

  it('writes one piece at a time and loses nothing on a large output', async () => {
    const sink = new CollectingSink();
    const outcome = await new CommandSource('seq 1 200000', sink).run();
    expect(sink.maxInFlight).toBe(1);
    expect(outcome.linesForwarded).toBe(200_000);
    const lines = sink.text().split('\n');
    expect(lines).toHaveLength(200_001);
    expect(lines[0]).toBe('1');
    expect(lines[199_999]).toBe('200000');
    expect(sink.writes.every((w) => w[w.length - 1] === 0x0a)).toBe(true);
  });

  it('forwards each line whole, a 1 MiB - 1 one too, and a longer one as one line cut at 1 MiB + 1', async () => {
    const sink = new CollectingSink();
    const xs = (n: number) => `head -c ${n} /dev/zero | tr '\\0' x; echo`;
    const command = [`echo a`, xs(1_048_575), `echo b`, xs(5 * 1_048_576), `echo c`].join('; ');
    const outcome = await new CommandSource(command, sink).run();
    expect(outcome.linesForwarded).toBe(5);
    // Every write holds whole lines only, so a line never straddles two writes (stream entries).
    expect(sink.writes.every((w) => w[w.length - 1] === 0x0a)).toBe(true);
    const lines = sink.text().split('\n');
    expect(lines.map((line) => line.length)).toEqual([1, 1_048_575, 1, 1_048_577, 1, 0]);
  });

  it("reports the command's exit status", async () => {
    const outcome = await new CommandSource('echo partial; exit 3', new CollectingSink()).run();
    expect(outcome).toMatchObject({ exitCode: 3, stopped: false, linesForwarded: 1 });
  });

  it('ends a running command on stop(), children of the shell included', async () => {
    const sink = new CollectingSink();
    const source = new CommandSource('echo started; sleep 60; echo never', sink);
    const running = source.run();
    await eventually('the first line', () => sink.writes.length === 1, POLL);
    source.stop();
    const outcome = await running;
    expect(outcome).toMatchObject({ stopped: true, linesForwarded: 1 });
    expect(sink.text()).toBe('started\n');
  });

  it('treats a sink closed during a stop as the end', async () => {
    let source: CommandSource | undefined = undefined;
    const closedSink: ByteSink = {
      write: async () => {
        source?.stop();
        throw new FifoClosedError('/tmp/x');
      },
    };
    source = new CommandSource('yes', closedSink);
    await expect(source.run()).resolves.toMatchObject({ stopped: true, linesForwarded: 0 });
  });

  it('fails when the sink fails for another reason', async () => {
    const failing: ByteSink = { write: async () => Promise.reject(new Error('EIO')) };
    await expect(new CommandSource('yes', failing).run()).rejects.toThrow('EIO');
  });
});

describe('exitCodeFor', () => {
  const base = { signal: null, stopped: false, linesForwarded: 0 } as const;
  it.each([
    ['the command ended with 0', { ...base, exitCode: 0 }, 0],
    ['the command failed', { ...base, exitCode: 2 }, 1],
    [
      'a signal we did not send ended it',
      { ...base, exitCode: null, signal: 'SIGKILL' as const },
      1,
    ],
    ['we stopped it', { ...base, exitCode: null, signal: 'SIGTERM' as const, stopped: true }, 0],
  ])('exits as expected when %s', (_what, outcome, expected) => {
    expect(exitCodeFor(outcome)).toBe(expected);
  });
});
