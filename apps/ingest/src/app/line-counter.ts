import { type BatchAggregator, isWindowed } from '@tally/aggregation';
import {
  createEventFields,
  LineSplitter,
  MALFORMED_SAMPLE_BYTES,
  parseEventFieldsAt,
} from '@tally/event-schema';
import { forEachWord, forEachWordInUtf8 } from '@tally/tokenizer';

/** What the ingest has read, line by line, since it started. */
export interface LineTotals {
  events: number;
  malformedLines: number;
  blankLines: number;
  /**
   * Events counted in the totals only (SPEC §3), by why: older than the retention, or more
   * than 300 s ahead of this process's clock when read. A clock that jumps shows here.
   */
  outsideWindow: { old: number; future: number };
}

/**
 * Turns FIFO bytes into counts: splits lines (across chunk boundaries, never buffering more
 * than one line of at most 1 MiB), parses each per SPEC §1 and adds the event type and the
 * words of each valid event, or one malformed line (its reason and first 256 bytes), to `counts`. An event goes into the
 * windowed buckets of its second unless, when it is read, it is older than the retention or
 * more than 300 s in the future (SPEC §3): then it counts in the totals only.
 */
export class LineCounter {
  readonly totals: LineTotals = {
    events: 0,
    malformedLines: 0,
    blankLines: 0,
    outsideWindow: { old: 0, future: 0 },
  };
  private readonly splitter: LineSplitter;
  /** "Now" in ms and whole seconds, read once per chunk rather than once per line. */
  private nowMs = 0;
  private nowSeconds = 0;
  /** Where this chunk's lines are counted: `counts()`, read once per chunk. */
  private target: BatchAggregator;
  /** The fields of the line being counted (one object, overwritten by each line). */
  private readonly fields = createEventFields();
  private readonly addWord = (word: string) => this.target.addWord(word);

  /**
   * @param counts where to count (the committer's pending batch, which changes after each cut;
   *   never while a chunk is being counted)
   * @param retentionSeconds WINDOW_RETENTION_S
   * @param clockMs the wall clock, injectable for tests
   */
  constructor(
    private readonly counts: () => BatchAggregator,
    private readonly retentionSeconds: number,
    private readonly clockMs: () => number = Date.now,
  ) {
    this.target = counts();
    this.splitter = new LineSplitter({
      line: (bytes) => this.countLine(bytes, 0, bytes.length),
      // The hot path: each line is scanned in place in the chunk read from the FIFO.
      lineAt: (bytes, start, end) => this.countLine(bytes, start, end),
      // Its length is what was read of it before it was found too long.
      oversize: (head, seen) => {
        const sample = head.subarray(0, MALFORMED_SAMPLE_BYTES);
        this.target.addMalformedLine('too-long', sample, seen, this.nowMs);
        this.totals.malformedLines++;
      },
    });
  }

  /**
   * Counts the line `bytes[start, end)`: a valid event's `data` is tokenized in place when it
   * has no escape (no string per line); a malformed line keeps its first bytes.
   */
  private countLine(bytes: Buffer, start: number, end: number): void {
    const fields = this.fields;
    const parsed = parseEventFieldsAt(bytes, start, end, fields);
    if (parsed === null) {
      const t = fields.timestamp;
      const windowed = isWindowed(t, this.nowSeconds, this.retentionSeconds);
      this.target.addEvent(fields.eventType, windowed ? t : undefined);
      if (!windowed) this.totals.outsideWindow[t > this.nowSeconds ? 'future' : 'old']++;
      if (fields.data === null) {
        forEachWordInUtf8(bytes, fields.dataStart, fields.dataEnd, this.addWord);
      } else {
        forEachWord(fields.data, this.addWord);
      }
      this.totals.events++;
    } else if (parsed.kind === 'malformed') {
      const head = bytes.subarray(start, Math.min(end, start + MALFORMED_SAMPLE_BYTES));
      this.target.addMalformedLine(parsed.reason, head, end - start, this.nowMs);
      this.totals.malformedLines++;
    } else {
      this.totals.blankLines++;
    }
  }

  /** Counts every complete line in `chunk`; an unterminated tail waits for the next chunk. */
  push(chunk: Buffer): void {
    this.beforeChunk();
    this.splitter.push(chunk);
  }

  /** Every writer closed the FIFO: an unterminated remainder is a complete line (SPEC §1). */
  endOfStream(): void {
    this.beforeChunk();
    this.splitter.end();
  }

  private beforeChunk(): void {
    this.nowMs = this.clockMs();
    this.nowSeconds = Math.floor(this.nowMs / 1000);
    this.target = this.counts();
  }

  /** True while part of a line has been read but not its `\n`. */
  get midLine(): boolean {
    return this.splitter.hasPartialLine;
  }
}
