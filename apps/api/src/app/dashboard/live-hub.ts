/**
 * The dashboard's Server-Sent Events stream (`GET /events/live`): one tick loop per api
 * process, running only while a browser listens. Each tick reads the totals once, the events
 * per second of the last RATE_SERIES_SECONDS seconds once (event time, from the windowed
 * counts), and the counts once per distinct (window, top) selection, and writes the same
 * payload text to every browser of that selection: a thousand open dashboards cost what one
 * costs.
 *
 * Bounds (live-limits.ts; "Live stream bounds" in the api README):
 * - at most `maxClients` streams (LIVE_MAX_CLIENTS); one more is refused with a 503;
 * - a tick reads the counts of at most LIVE_MAX_SELECTIONS_PER_TICK selections, whose `top`
 *   add up to at most LIVE_MAX_TOP_PER_TICK (one selection always): with more distinct
 *   selections, each tick serves the ones served longest ago (round-robin), so every
 *   dashboard still updates, less often, and the Redis work of a tick stays bounded;
 * - a client is written a tick only while less than LIVE_MAX_QUEUED_BYTES wait in its
 *   connection (a tick is a whole snapshot, so a skipped one is superseded by the next); one
 *   whose queue stays full for LIVE_MAX_SKIPPED_TICKS deliveries in a row is cut.
 */
import type { ServerResponse } from 'node:http';
import type { CountEntry } from '@tally/aggregation';
import { serviceBusy } from '../errors';
import { deliver, type DeliveryCounts, type LiveClientState, pickTurns } from './live-limits';

/** One browser's choice: `window` seconds (undefined: all time) and the `top` K entries. */
export interface LiveSelection {
  readonly window?: number;
  readonly top: number;
}

/** Totals as `/events/stats` gives them. */
export interface LiveStats {
  readonly events: number;
  readonly malformedLines: number;
}

/** What a tick shows of the counts: entries in SPEC §4's order (largest first). */
export interface LiveCounts {
  readonly types: readonly CountEntry[];
  readonly words: readonly CountEntry[];
}

/**
 * One point of the malformed-lines line: malformed lines per second over the tick that ended
 * at `t` (Unix ms), by ingest time (a malformed line has no timestamp).
 */
export interface MalformedPoint {
  readonly t: number;
  readonly malformed: number;
}

export interface LiveHubOptions {
  /** The totals (one shared read per tick). */
  readonly readStats: () => Promise<LiveStats>;
  /**
   * The number of events whose timestamp is each second of `[fromSecond, toSecond]`, oldest
   * first (one shared read per tick; readEventsPerSecond).
   */
  readonly readEventsPerSecond: (fromSecond: number, toSecond: number) => Promise<number[]>;
  /** The event-type and word counts for `selection` at `nowSeconds`, in SPEC §4's order. */
  readonly readCounts: (selection: LiveSelection, nowSeconds: number) => Promise<LiveCounts>;
  /** Why a read failed, as sent to the browsers (`redis unavailable: …` or `internal error`). */
  readonly describeError: (error: unknown) => string;
  /** Time between ticks, in ms. */
  readonly tickMs: number;
  /** The server clock in whole Unix seconds. */
  readonly nowSeconds: () => number;
  /** Wall clock in ms (malformed points' `t`); injectable for tests. */
  readonly nowMs?: () => number;
  /** Streams open at once (LIVE_MAX_CLIENTS); `subscribe` refuses one more with a 503. */
  readonly maxClients: number;
}

/** Seconds of the events line, `[now − 299, now]` (event time): the last 5 minutes. */
export const RATE_SERIES_SECONDS = 300;
/** Malformed points kept and sent to a browser that connects: 5 minutes at 1 tick/s. */
export const RATE_HISTORY_POINTS = 300;
/** What a browser waits before reconnecting after the stream broke (SSE `retry:`), in ms. */
export const RECONNECT_MS = 2000;

/** A key that is equal for interchangeable selections. */
export function selectionKey(selection: LiveSelection): string {
  return `window=${selection.window ?? 'all'}:top=${selection.top}`;
}

interface Group {
  readonly selection: LiveSelection;
  readonly top: number;
  readonly clients: Map<ServerResponse, LiveClientState>;
  /** The tick that last read this selection's counts (-1: none yet); see pickTurns. */
  servedAtTick: number;
}

/** What the bounds did since start; exported to /metrics (`metrics.ts`). */
export interface LiveHubCounts extends DeliveryCounts {
  /** Streams refused: `maxClients` were open, or the hub was closed. */
  refused: number;
}

/** The SSE tick loop shared by every connected dashboard. */
export class LiveHub {
  private readonly groups = new Map<string, Group>();
  private readonly history: MalformedPoint[] = [];
  /** The last tick's events series as payload text (sent at once to a browser that connects). */
  private lastEvents = '[]';
  private previous: { stats: LiveStats; atMs: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private closed = false;
  private readonly nowMs: () => number;
  private clients = 0;
  /** Ticks started since start: what `servedAtTick` counts in. */
  private tickSeq = 0;
  /** Ticks done since start; for tests and logs. */
  ticks = 0;
  readonly counts: LiveHubCounts = { refused: 0, skipped: 0, cut: 0 };

  constructor(private readonly options: LiveHubOptions) {
    if (!Number.isInteger(options.maxClients) || options.maxClients < 1) {
      throw new RangeError(`maxClients must be an integer >= 1, got ${options.maxClients}`);
    }
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Browsers connected now. */
  get clientCount(): number {
    return this.clients;
  }

  /** Distinct selections of the browsers connected now. */
  get selectionCount(): number {
    return this.groups.size;
  }

  /** Whether a tick is scheduled or running (false once the last browser left). */
  get active(): boolean {
    return this.timer !== undefined || this.ticking;
  }

  /**
   * Starts the SSE answer on `res` (headers flushed, `retry:`, the malformed-lines history and
   * the last events series sent) and
   * sends it every tick until the browser goes away or `close()` is called.
   * @throws HttpError 503 (nothing written) when `maxClients` streams are open or the hub is
   *   closed
   */
  subscribe(res: ServerResponse, selection: LiveSelection): void {
    if (this.closed) {
      this.counts.refused++;
      throw serviceBusy('the api is shutting down: the live stream is closed', 5);
    }
    if (this.clients >= this.options.maxClients) {
      this.counts.refused++;
      throw serviceBusy(
        `too many live streams: ${this.options.maxClients} are open, the most LIVE_MAX_CLIENTS allows; retry later`,
        5,
      );
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.write(
      `retry: ${RECONNECT_MS}\n\nevent: history\ndata: {"events":${this.lastEvents},"malformed":${JSON.stringify(this.history)}}\n\n`,
    );

    const key = selectionKey(selection);
    let group = this.groups.get(key);
    if (group === undefined) {
      group = { selection, top: selection.top, clients: new Map(), servedAtTick: -1 };
      this.groups.set(key, group);
    }
    const clients = group.clients;
    clients.set(res, { skipped: 0 });
    this.clients++;
    res.once('close', () => {
      if (clients.delete(res)) this.clients--;
      if (clients.size === 0 && this.groups.get(key)?.clients === clients) this.groups.delete(key);
      if (this.groups.size === 0) this.stop();
    });
    if (this.timer === undefined && !this.ticking) this.schedule(0);
  }

  /** Ends every stream and stops the loop (shutdown). New subscribers get a 503. */
  close(): void {
    this.closed = true;
    for (const group of [...this.groups.values()]) {
      for (const res of [...group.clients.keys()]) res.end();
    }
    this.groups.clear(); // each stream's 'close' still counts it out of `clients`
    this.stop();
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.previous = undefined; // the next first browser starts a new line segment, not a spike
    this.lastEvents = '[]'; // stale by then: the next first browser gets a fresh tick at once
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delayMs);
  }

  private async tick(): Promise<void> {
    this.ticking = true;
    const startedMs = this.nowMs();
    const tick = this.tickSeq++;
    try {
      const nowSeconds = this.options.nowSeconds();
      const stats = await this.readStatsEvent(startedMs, nowSeconds);
      if ('error' in stats) {
        // No counts are read: every browser hears of the outage, at no cost.
        const message = unavailableMessage(stats.error);
        for (const group of this.groups.values()) deliver(group.clients, message, this.counts);
      } else {
        await Promise.all(
          pickTurns(this.groups.values(), tick).map((group) =>
            this.sendGroup(group, stats.text, nowSeconds),
          ),
        );
      }
      this.ticks++;
    } finally {
      this.ticking = false;
      // Ticks never overlap: a slow Redis makes them rarer, not more numerous.
      if (this.groups.size > 0 && !this.closed) {
        this.schedule(Math.max(0, this.options.tickMs - (this.nowMs() - startedMs)));
      }
    }
  }

  /**
   * The `stats` and `rate` members of this tick's payload text, or an error text. `rate` is
   * `{"events":[[second,n],…],"malformed":<MalformedPoint or null>}`: the events of each of the
   * last RATE_SERIES_SECONDS seconds up to `nowSeconds` by event time (the windowed counts:
   * complete at once, and late events count in their own second), and malformed lines per
   * second since the previous tick (the totals' delta: by ingest time).
   */
  private async readStatsEvent(
    atMs: number,
    nowSeconds: number,
  ): Promise<{ text: string } | { error: string }> {
    const fromSecond = nowSeconds - RATE_SERIES_SECONDS + 1;
    let stats: LiveStats;
    let perSecond: number[];
    try {
      [stats, perSecond] = await Promise.all([
        this.options.readStats(),
        this.options.readEventsPerSecond(fromSecond, nowSeconds),
      ]);
    } catch (error) {
      this.previous = undefined; // a gap in the malformed line, not a spike after it
      return { error: this.options.describeError(error) };
    }
    let point: MalformedPoint | undefined;
    const previous = this.previous;
    if (previous !== undefined && atMs > previous.atMs) {
      const malformed = stats.malformedLines - previous.stats.malformedLines;
      // Totals only grow; a drop means the store was reset, so that tick has no point.
      if (malformed >= 0) {
        point = { t: atMs, malformed: malformed / ((atMs - previous.atMs) / 1000) };
        this.history.push(point);
        if (this.history.length > RATE_HISTORY_POINTS) this.history.shift();
      }
    }
    this.previous = { stats, atMs };
    this.lastEvents = JSON.stringify(perSecond.map((n, i) => [fromSecond + i, n]));
    const statsText = JSON.stringify({
      events: stats.events,
      malformedLines: stats.malformedLines,
    });
    const malformedText = point ? JSON.stringify(point) : 'null';
    return {
      text: `"stats":${statsText},"rate":{"events":${this.lastEvents},"malformed":${malformedText}}`,
    };
  }

  private async sendGroup(group: Group, statsText: string, nowSeconds: number): Promise<void> {
    let message: string;
    try {
      const { types, words } = await this.options.readCounts(group.selection, nowSeconds);
      // Arrays of pairs, so the browser keeps the server's order (see json-counts.ts).
      const counts = `"types":${JSON.stringify(types)},"words":${JSON.stringify(words)}`;
      message = `event: tick\ndata: {${statsText},${counts}}\n\n`;
    } catch (error) {
      message = unavailableMessage(this.options.describeError(error));
    }
    deliver(group.clients, message, this.counts);
  }
}

function unavailableMessage(error: string): string {
  return `event: unavailable\ndata: ${JSON.stringify({ error })}\n\n`;
}
