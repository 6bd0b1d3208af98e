import { type ChildProcess, spawn } from 'node:child_process';
import { isOutputClosed } from '../../outputs/output-closed';
import { countLines, WholeLineChunker } from './whole-line-chunker';

/** Where the command's lines go: a FifoWriter, or a fake in tests. */
export interface ByteSink {
  write(bytes: Buffer): Promise<void>;
}

/** How the command ended. */
export interface CommandOutcome {
  /** Its exit status, or null when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when `stop()` ended it: the producer was asked to stop, not the command failing. */
  readonly stopped: boolean;
  /** Lines the sink accepted. */
  readonly linesForwarded: number;
}

/** How long a stopped command gets to exit after SIGTERM before SIGKILL. */
const KILL_AFTER_MS = 2_000;

/**
 * Runs GENERATOR_CMD with `/bin/sh -c` and forwards its stdout, byte for byte (CRLF kept, a
 * last unterminated line given its `\n`), to the sink in writes of whole lines only: a line
 * is never cut between two writes (a line past SPEC §1's 1 MiB goes as one line cut at
 * 1 MiB + 1 bytes, see WholeLineChunker). One write at a time: stdout is not read while a write
 * is pending, so a full FIFO fills the command's pipe and blocks the command itself instead
 * of a buffer here. Memory: the chunker's bound (1 MiB + 1 held) plus one write of at most
 * that and one 64 KiB chunk. Its stderr goes to ours.
 */
export class CommandSource {
  private child: ChildProcess | undefined;
  private stopRequested = false;
  private forwarded = 0;

  constructor(
    private readonly command: string,
    private readonly sink: ByteSink,
  ) {}

  get linesForwarded(): number {
    return this.forwarded;
  }

  /**
   * Runs the command to its end (or until `stop()`), forwarding its lines.
   * @throws when the command cannot be started, or the sink fails other than by being closed
   *   during a stop.
   */
  async run(): Promise<CommandOutcome> {
    // Own process group, so that stop() reaches whatever `sh -c` started, not just the shell.
    const child = spawn('/bin/sh', ['-c', this.command], {
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    this.child = child;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code, signal) => resolve({ code, signal }));
      },
    );
    const chunker = new WholeLineChunker();
    try {
      // for-await pulls the next chunk only after the body's write resolved: that is the backpressure.
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        const ready = chunker.push(chunk);
        if (ready) await this.forward(ready);
      }
      const tail = chunker.end();
      if (tail) await this.forward(tail);
    } catch (error) {
      this.signalGroup('SIGKILL');
      await exited.catch(() => undefined); // the write error below is the one to report
      if (!(this.stopRequested && isOutputClosed(error))) throw error;
    }
    const { code, signal } = await exited;
    return { exitCode: code, signal, stopped: this.stopRequested, linesForwarded: this.forwarded };
  }

  /** Ends the command: SIGTERM to its process group, SIGKILL 2 s later if it is still there. */
  stop(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    this.signalGroup('SIGTERM');
    const child = this.child;
    if (!child) return;
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), KILL_AFTER_MS);
    child.once('close', () => clearTimeout(timer));
  }

  private async forward(bytes: Buffer): Promise<void> {
    await this.sink.write(bytes);
    this.forwarded += countLines(bytes);
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch (error) {
      // ESRCH: the group is already gone, which is what we wanted.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

/**
 * The producer's exit status once the command has ended. SPEC §5 says the producer exits 0
 * when the command ends; we read that as "ends normally": status 0, or stopped by our own
 * SIGTERM/SIGINT. A command that fails (non-zero status, or killed by a signal we did not
 * send) makes the producer exit 1, so a supervisor or script sees that the generator failed.
 */
export function exitCodeFor(outcome: CommandOutcome): 0 | 1 {
  return outcome.stopped || outcome.exitCode === 0 ? 0 : 1;
}
