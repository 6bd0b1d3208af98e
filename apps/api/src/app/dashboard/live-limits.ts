/**
 * The live stream's bounds as small pure policies (LiveHub applies them): which selections a
 * tick reads, and which clients it writes to. See "Live stream bounds" in the api README.
 */
import type { ServerResponse } from 'node:http';

/** Selections whose counts one tick reads (2 reads each: types and words), at most. */
export const LIVE_MAX_SELECTIONS_PER_TICK = 16;
/**
 * The `top` of the selections one tick reads add up to at most this (a tick always reads one):
 * two `top=10000` selections, or sixteen small ones. What bounds a tick's bytes from Redis.
 */
export const LIVE_MAX_TOP_PER_TICK = 20_000;
/**
 * A client gets no tick while this much of what was written to it waits unsent (its
 * connection's `writableLength`, past what the kernel took): a reader this far behind holds at
 * most this plus one tick in the api.
 */
export const LIVE_MAX_QUEUED_BYTES = 256 * 1024;
/** Deliveries in a row found over LIVE_MAX_QUEUED_BYTES after which a client is cut. */
export const LIVE_MAX_SKIPPED_TICKS = 30;

/** What a tick's pick needs of a selection: its `top`, and when it was last read. */
export interface Turn {
  readonly top: number;
  /** The tick that last read this selection's counts (-1: none yet). Set by `pickTurns`. */
  servedAtTick: number;
}

/**
 * The selections tick `tick` reads, round-robin: those served longest ago first (new ones
 * first of all, ties in `line` order), up to `maxSelections` of them and `maxTop` of `top` in
 * all, stopping at the first that does not fit (it is first in line next tick); always one.
 * Marks the picked ones served at `tick`. The others wait for their turn.
 */
export function pickTurns<T extends Turn>(
  line: Iterable<T>,
  tick: number,
  maxSelections = LIVE_MAX_SELECTIONS_PER_TICK,
  maxTop = LIVE_MAX_TOP_PER_TICK,
): T[] {
  const waiting = [...line].sort((a, b) => a.servedAtTick - b.servedAtTick);
  const due: T[] = [];
  let top = 0;
  for (const turn of waiting) {
    if (due.length === maxSelections) break;
    if (due.length > 0 && top + turn.top > maxTop) break;
    top += turn.top;
    turn.servedAtTick = tick;
    due.push(turn);
  }
  return due;
}

/** One client's standing. */
export interface LiveClientState {
  /** Deliveries skipped in a row because its queue was over LIVE_MAX_QUEUED_BYTES. */
  skipped: number;
}

/** What `deliver` did since start; exported to /metrics. */
export interface DeliveryCounts {
  /** Ticks not written to a client whose queue was over LIVE_MAX_QUEUED_BYTES. */
  skipped: number;
  /** Clients cut after LIVE_MAX_SKIPPED_TICKS skipped deliveries in a row. */
  cut: number;
}

/**
 * Writes `message` (a whole snapshot: skipping one loses nothing the next does not bring) to
 * each client whose queue is under LIVE_MAX_QUEUED_BYTES; skips the others, and cuts one that
 * has been skipped LIVE_MAX_SKIPPED_TICKS times in a row (its 'close' then removes it; a
 * browser reconnects after `retry:`).
 */
export function deliver(
  clients: ReadonlyMap<ServerResponse, LiveClientState>,
  message: string,
  counts: DeliveryCounts,
): void {
  for (const [res, client] of clients) {
    if (res.destroyed) continue; // cut or gone; its 'close' removes it
    if (res.writableLength >= LIVE_MAX_QUEUED_BYTES) {
      counts.skipped++;
      if (++client.skipped >= LIVE_MAX_SKIPPED_TICKS) {
        counts.cut++;
        res.destroy();
      }
      continue;
    }
    client.skipped = 0;
    res.write(message);
  }
}
