import type { ServerResponse } from 'node:http';
import {
  deliver,
  type DeliveryCounts,
  LIVE_MAX_QUEUED_BYTES,
  LIVE_MAX_SELECTIONS_PER_TICK,
  LIVE_MAX_SKIPPED_TICKS,
  LIVE_MAX_TOP_PER_TICK,
  type LiveClientState,
  pickTurns,
} from './live-limits';

const turns = (tops: number[]) => tops.map((top, i) => ({ name: `s${i}`, top, servedAtTick: -1 }));
const names = (picked: { name: string }[]) => picked.map((t) => t.name);

describe('pickTurns', () => {
  it('reads every selection every tick while they fit', () => {
    const line = turns([10, 10, 10]);
    expect(names(pickTurns(line, 0))).toEqual(['s0', 's1', 's2']);
    expect(names(pickTurns(line, 1))).toEqual(['s0', 's1', 's2']);
  });

  it(`reads at most ${LIVE_MAX_SELECTIONS_PER_TICK} a tick, those served longest ago first`, () => {
    const line = turns(Array.from({ length: LIVE_MAX_SELECTIONS_PER_TICK + 4 }, () => 10));
    const first = pickTurns(line, 0);
    expect(first).toHaveLength(LIVE_MAX_SELECTIONS_PER_TICK);
    const second = names(pickTurns(line, 1));
    // The four left out come first, then the longest-waiting of the rest.
    expect(second.slice(0, 4)).toEqual(['s16', 's17', 's18', 's19']);
    expect(second).toHaveLength(LIVE_MAX_SELECTIONS_PER_TICK);
    const seen = new Set([...names(first), ...second]);
    expect(seen.size).toBe(line.length); // everyone within two ticks
  });

  it(`keeps the sum of top within ${LIVE_MAX_TOP_PER_TICK}, and always reads one`, () => {
    const line = turns([10_000, 10_000, 10_000, 5]);
    expect(names(pickTurns(line, 0))).toEqual(['s0', 's1']);
    // s2 does not fit behind nobody: next tick it is first, and s3 fits beside it.
    expect(names(pickTurns(line, 1))).toEqual(['s2', 's3']);
    expect(names(pickTurns(turns([10_000]), 0, 16, 100))).toEqual(['s0']);
  });

  it('puts a new selection first in line', () => {
    const line = turns(Array.from({ length: 20 }, () => 10));
    pickTurns(line, 0);
    pickTurns(line, 1);
    line.push({ name: 'new', top: 10, servedAtTick: -1 });
    expect(names(pickTurns(line, 2))[0]).toBe('new');
  });
});

/** A stand-in for a response: what deliver reads and does, on a queue the test sets. */
function fakeResponse(queuedBytes: number) {
  const res = {
    writableLength: queuedBytes,
    destroyed: false,
    written: [] as string[],
    write(message: string) {
      res.written.push(message);
      return true;
    },
    destroy() {
      res.destroyed = true;
    },
  };
  return res;
}

describe('deliver', () => {
  it('writes to a client under the bound, skips one over it, and cuts it after enough skips in a row', () => {
    const reader = fakeResponse(0);
    const stuck = fakeResponse(LIVE_MAX_QUEUED_BYTES);
    const clients = new Map<ServerResponse, LiveClientState>([
      [reader as unknown as ServerResponse, { skipped: 0 }],
      [stuck as unknown as ServerResponse, { skipped: 0 }],
    ]);
    const counts: DeliveryCounts = { skipped: 0, cut: 0 };
    for (let tick = 1; tick < LIVE_MAX_SKIPPED_TICKS; tick++) deliver(clients, `t${tick}`, counts);
    expect(stuck.written).toEqual([]);
    expect(stuck.destroyed).toBe(false);
    expect(counts).toEqual({ skipped: LIVE_MAX_SKIPPED_TICKS - 1, cut: 0 });
    deliver(clients, 'last', counts);
    expect(stuck.destroyed).toBe(true);
    expect(counts.cut).toBe(1);
    expect(reader.written).toHaveLength(LIVE_MAX_SKIPPED_TICKS);
    deliver(clients, 'after', counts); // a cut client is left alone until its 'close'
    expect(counts).toEqual({ skipped: LIVE_MAX_SKIPPED_TICKS, cut: 1 });
  });

  it('starts counting skips again once a client has caught up', () => {
    const res = fakeResponse(LIVE_MAX_QUEUED_BYTES);
    const state = { skipped: 0 };
    const clients = new Map([[res as unknown as ServerResponse, state]]);
    const counts: DeliveryCounts = { skipped: 0, cut: 0 };
    for (let i = 0; i < LIVE_MAX_SKIPPED_TICKS - 1; i++) deliver(clients, 'x', counts);
    res.writableLength = LIVE_MAX_QUEUED_BYTES - 1; // it read some
    deliver(clients, 'caught up', counts);
    expect(res.written).toEqual(['caught up']);
    expect(state.skipped).toBe(0);
    res.writableLength = LIVE_MAX_QUEUED_BYTES;
    deliver(clients, 'y', counts);
    expect(res.destroyed).toBe(false);
  });
});
