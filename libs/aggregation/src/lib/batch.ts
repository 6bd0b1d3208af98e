import { MalformedLog } from './malformed';

/** Counts by key, pre-summed. Maps (not objects) so `__proto__` is a key like any other. */
export interface CountGroup {
  readonly types: ReadonlyMap<string, number>;
  readonly words: ReadonlyMap<string, number>;
}

/** The counts of the events of one event-time second (for the windowed buckets). */
export interface SecondCounts extends CountGroup {
  readonly second: number;
}

/**
 * The counts of a group of lines, pre-summed so that Redis sees one increment per distinct
 * key per batch (and per bucket).
 */
export interface Batch extends CountGroup {
  /** Valid events in the batch (each adds 1 to its type). */
  readonly events: number;
  /** Malformed lines in the batch. */
  readonly malformedLines: number;
  /**
   * Why: a count per reason of the lines added with `addMalformedLine`, and at most
   * MALFORMED_RECENT_MAX samples of them, oldest first, as JSON texts (malformed.ts).
   */
  readonly malformed: MalformedPart;
  /**
   * The windowed part, by event-time second. Already included in `types` and `words`, which
   * also hold the events that count in the totals only.
   */
  readonly seconds: readonly SecondCounts[];
}

/** The malformed lines' reasons and samples of a batch. */
export interface MalformedPart {
  readonly byReason: ReadonlyMap<string, number>;
  readonly samples: readonly string[];
}

const NO_MALFORMED: MalformedPart = Object.freeze({ byReason: new Map(), samples: [] });

class Group {
  types = new Map<string, number>();
  words = new Map<string, number>();

  get size(): number {
    return this.types.size + this.words.size;
  }
}

/**
 * Accumulates counts in memory until they are taken as one `Batch`. The hot path is
 * `addEvent` (with the event's second, or none for "totals only") followed by `addWord` for
 * each of its words: the words go to the group of the last event added.
 */
export class BatchAggregator {
  private untimed = new Group();
  private seconds = new Map<number, Group>();
  private current: Group = this.untimed;
  private currentSecond: number | undefined;
  private entries = 0;
  private events = 0;
  private malformedLines = 0;
  private readonly malformedLog = new MalformedLog();

  /**
   * Counts one valid event of `eventType`; its words follow with `addWord`.
   * @param windowSecond the event's second when it belongs in the windowed buckets, else undefined
   */
  addEvent(eventType: string, windowSecond?: number): void {
    this.events++;
    if (windowSecond === undefined) {
      this.current = this.untimed;
    } else if (windowSecond !== this.currentSecond || this.current === this.untimed) {
      let group = this.seconds.get(windowSecond);
      if (group === undefined) {
        group = new Group();
        this.seconds.set(windowSecond, group);
      }
      this.current = group;
      this.currentSecond = windowSecond;
    }
    this.bump(this.current.types, eventType);
  }

  /** Counts one occurrence of `word` for the event added last. */
  addWord(word: string): void {
    this.bump(this.current.words, word);
  }

  /** Counts `n` malformed lines whose reason and bytes are not known (tests, replays). */
  addMalformed(n = 1): void {
    this.malformedLines += n;
  }

  /**
   * Counts one malformed line with its reason and first bytes (`head`, `total` bytes in all,
   * read at `atMs`): the batch keeps a count per reason and the newest samples (malformed.ts).
   */
  addMalformedLine(reason: string, head: Uint8Array, total: number, atMs: number): void {
    this.malformedLines += 1;
    this.malformedLog.add(reason, head, total, atMs);
  }

  private bump(map: Map<string, number>, key: string): void {
    const n = map.get(key);
    if (n === undefined) {
      map.set(key, 1);
      this.entries++;
    } else {
      map.set(key, n + 1);
    }
  }

  /** Distinct (group, key) entries held: what a write costs and what memory grows with. */
  get distinctKeys(): number {
    return this.entries;
  }

  get eventCount(): number {
    return this.events;
  }

  /** True when nothing at all is held. */
  get isEmpty(): boolean {
    return this.events === 0 && this.malformedLines === 0 && this.entries === 0;
  }

  /** Returns everything accumulated so far and starts empty again. */
  take(): Batch {
    const groups: [number | undefined, Group][] = [];
    if (this.untimed.size > 0) groups.push([undefined, this.untimed]);
    for (const [second, group] of this.seconds) groups.push([second, group]);
    const batch = makeBatch(groups, this.events, this.malformedLines, this.takeMalformed());
    this.reset();
    return batch;
  }

  /**
   * Moves at most `maxKeys` entries into a batch of their own, with all of the event and
   * malformed totals; the rest stays for the next call. Keeps one Redis script call bounded
   * after a long outage piled up counts. Each chunk is applied exactly once on its own.
   */
  takeChunk(maxKeys: number): Batch {
    if (this.entries <= maxKeys) return this.take();
    const groups: [number | undefined, Group][] = [];
    let room = maxKeys;
    const take = (second: number | undefined, source: Group): Group => {
      // Whole groups move as they are. The one that does not fit gives up its oldest entries
      // (insertion order): they are deleted from it one by one, so a split costs the entries
      // moved, not the whole group (a 100,000-word pending group is split every batch).
      if (source.size <= room) {
        room -= source.size;
        groups.push([second, source]);
        return new Group();
      }
      const moved = new Group();
      for (const [from, to] of [
        [source.types, moved.types],
        [source.words, moved.words],
      ] as const) {
        for (const [key, n] of from) {
          if (room === 0) break;
          to.set(key, n);
          from.delete(key);
          room--;
        }
      }
      groups.push([second, moved]);
      return source;
    };
    if (this.untimed.size > 0) this.untimed = take(undefined, this.untimed);
    for (const [second, group] of this.seconds) {
      if (room === 0) break;
      const rest = take(second, group);
      if (rest.size === 0) this.seconds.delete(second);
      else this.seconds.set(second, rest);
    }
    this.entries -= maxKeys - room;
    const batch = makeBatch(groups, this.events, this.malformedLines, this.takeMalformed());
    this.events = 0;
    this.malformedLines = 0;
    this.current = this.untimed;
    this.currentSecond = undefined;
    return batch;
  }

  private takeMalformed(): MalformedPart {
    return this.malformedLog.isEmpty ? NO_MALFORMED : this.malformedLog.take();
  }

  private reset(): void {
    this.untimed = new Group();
    this.seconds = new Map();
    this.current = this.untimed;
    this.currentSecond = undefined;
    this.entries = 0;
    this.events = 0;
    this.malformedLines = 0;
  }
}

/** Builds a batch whose all-time counts are the sum of its groups. */
function makeBatch(
  groups: [number | undefined, Group][],
  events: number,
  malformedLines: number,
  malformed: MalformedPart,
): Batch {
  const seconds: SecondCounts[] = [];
  for (const [second, group] of groups) {
    if (second !== undefined) seconds.push({ second, types: group.types, words: group.words });
  }
  if (groups.length === 1) {
    // The common case (one second, or totals only): the all-time counts are that group's.
    const [, only] = groups[0];
    return { types: only.types, words: only.words, events, malformedLines, malformed, seconds };
  }
  const types = new Map<string, number>();
  const words = new Map<string, number>();
  for (const [, group] of groups) {
    for (const [k, n] of group.types) types.set(k, (types.get(k) ?? 0) + n);
    for (const [k, n] of group.words) words.set(k, (words.get(k) ?? 0) + n);
  }
  return { types, words, events, malformedLines, malformed, seconds };
}
