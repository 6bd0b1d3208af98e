import { PIPE_BUF } from '@tally/fifo';
import { isOutputClosed } from '../../outputs/output-closed';
import { type Clock, systemClock } from './clock';
import type { GeneratedLine } from './generator';
import { RateSchedule } from './rate-schedule';

/** Where lines go: a FifoWriter, or a fake in tests. Each line gets a `\n`. */
export interface LineSink {
  write(lines: readonly string[]): Promise<void>;
}

export interface ProducerOptions {
  /** Events per second; 0 = as fast as the sink takes them. */
  readonly ratePerSecond: number;
  /** Lines to write, corrupt ones included; 0 = forever. */
  readonly count: number;
  readonly nextLine: () => GeneratedLine;
  readonly sink: LineSink;
  readonly clock?: Clock;
}

/** Lines the sink has accepted (the kernel took them, for a FIFO). */
export interface ProducerCounts {
  linesWritten: number;
  corruptWritten: number;
}

/**
 * The generating loop: takes lines from `nextLine` at RATE (or as fast as the sink accepts
 * them), up to COUNT, and writes them in batches of at most PIPE_BUF bytes. A batch that
 * small is one atomic write to the FIFO, so each batch is either written whole or not at all,
 * and the counts are exact even when a stop cuts a write short.
 */
export class Producer {
  private readonly counts: ProducerCounts = { linesWritten: 0, corruptWritten: 0 };
  private readonly stopping = new AbortController();
  private readonly clock: Clock;
  /** A line taken from the generator that did not fit in the last batch. */
  private pending: GeneratedLine | undefined;

  constructor(private readonly options: ProducerOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** A snapshot of the counts so far. */
  get progress(): Readonly<ProducerCounts> {
    return { ...this.counts };
  }

  /**
   * Runs until COUNT lines are written or `stop()` is called; resolves with the final counts.
   * @throws what the sink throws, except a closed output (isOutputClosed) after `stop()`.
   */
  async run(): Promise<Readonly<ProducerCounts>> {
    const { ratePerSecond, count, sink } = this.options;
    const schedule =
      ratePerSecond > 0 ? new RateSchedule(ratePerSecond, this.clock.nowMs()) : undefined;
    while (!this.stopping.signal.aborted) {
      const remaining = count === 0 ? Infinity : count - this.counts.linesWritten;
      if (remaining === 0) break;
      const now = this.clock.nowMs();
      const allowed = Math.min(remaining, schedule ? schedule.due(now) : Infinity);
      if (allowed === 0) {
        await this.clock.sleep(schedule?.msUntilNext(now) ?? 0, this.stopping.signal);
        continue;
      }
      const batch = this.nextBatch(allowed);
      schedule?.take(batch.lines.length);
      try {
        await sink.write(batch.lines);
      } catch (error) {
        // Closed while waiting for a reader during a stop: this batch was never written.
        if (this.stopping.signal.aborted && isOutputClosed(error)) break;
        throw error;
      }
      this.counts.linesWritten += batch.lines.length;
      this.counts.corruptWritten += batch.corrupt;
    }
    return this.progress;
  }

  /** Stops after the write in progress (if any) has finished; `run()` then resolves. */
  stop(): void {
    this.stopping.abort();
  }

  /** Up to `max` lines whose bytes (with their `\n`) fit in PIPE_BUF; always at least one. */
  private nextBatch(max: number): { lines: string[]; corrupt: number } {
    const lines: string[] = [];
    let corrupt = 0;
    let bytes = 0;
    while (lines.length < max) {
      const line = this.pending ?? this.options.nextLine();
      const size = Buffer.byteLength(line.text) + 1;
      if (lines.length > 0 && bytes + size > PIPE_BUF) {
        this.pending = line; // keep it for the next batch: the sequence stays the seed's
        break;
      }
      this.pending = undefined;
      lines.push(line.text);
      bytes += size;
      if (line.corrupt) corrupt++;
    }
    return { lines, corrupt };
  }
}
