/**
 * The counts of a group of lines, pre-summed so that Redis sees one increment per distinct
 * key per batch. Maps (not objects) so `__proto__` or `constructor` are keys like any other.
 */
export interface Batch {
  readonly types: ReadonlyMap<string, number>;
  readonly words: ReadonlyMap<string, number>;
  /** Valid events in the batch (each adds 1 to its type). */
  readonly events: number;
  /** Malformed lines in the batch. */
  readonly malformedLines: number;
}

/** Accumulates counts in memory until they are taken as one `Batch`. */
export class BatchAggregator {
  private types = new Map<string, number>();
  private words = new Map<string, number>();
  private events = 0;
  private malformedLines = 0;

  /** Counts one valid event of `eventType`. Its words are added with `addWord`. */
  addEvent(eventType: string): void {
    this.events++;
    this.types.set(eventType, (this.types.get(eventType) ?? 0) + 1);
  }

  /** Counts one occurrence of `word`. */
  addWord(word: string): void {
    this.words.set(word, (this.words.get(word) ?? 0) + 1);
  }

  /** Counts `n` malformed lines. */
  addMalformed(n = 1): void {
    this.malformedLines += n;
  }

  /** Merges a batch back in (used when a batch could not be handed over). */
  merge(batch: Batch): void {
    for (const [k, v] of batch.types) this.types.set(k, (this.types.get(k) ?? 0) + v);
    for (const [k, v] of batch.words) this.words.set(k, (this.words.get(k) ?? 0) + v);
    this.events += batch.events;
    this.malformedLines += batch.malformedLines;
  }

  /** Distinct hash fields held: what a write costs and what memory grows with. */
  get distinctKeys(): number {
    return this.types.size + this.words.size;
  }

  get eventCount(): number {
    return this.events;
  }

  /** True when nothing at all is held (no totals and no counts). */
  get isEmpty(): boolean {
    return this.events === 0 && this.malformedLines === 0 && this.distinctKeys === 0;
  }

  /**
   * Moves at most `maxKeys` distinct keys (event types first, then words) into a batch of
   * their own, with all of the event and malformed totals. What is left stays for the next
   * call. Used to keep one Redis script call bounded after a long outage piled up counts.
   */
  takeChunk(maxKeys: number): Batch {
    if (this.distinctKeys <= maxKeys) return this.take();
    const types = new Map<string, number>();
    const words = new Map<string, number>();
    let room = maxKeys;
    for (const [key, n] of this.types) {
      if (room === 0) break;
      types.set(key, n);
      this.types.delete(key);
      room--;
    }
    for (const [key, n] of this.words) {
      if (room === 0) break;
      words.set(key, n);
      this.words.delete(key);
      room--;
    }
    const batch: Batch = { types, words, events: this.events, malformedLines: this.malformedLines };
    this.events = 0;
    this.malformedLines = 0;
    return batch;
  }

  /** Returns everything accumulated so far and starts empty again. */
  take(): Batch {
    const batch: Batch = {
      types: this.types,
      words: this.words,
      events: this.events,
      malformedLines: this.malformedLines,
    };
    this.types = new Map();
    this.words = new Map();
    this.events = 0;
    this.malformedLines = 0;
    return batch;
  }
}
