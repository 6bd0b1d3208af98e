import { BatchAggregator, BatchRejectedError } from '@tally/aggregation';
import { type BatchStamp, type Commit, Committer, type CommitterOptions } from './committer';

/** A lease as the Committer sees it: numbers on from 41; `lost` records markLost. */
function fakeLease(lost: string[] = []): CommitterOptions['lease'] {
  return {
    lastSeq: 41,
    stamp: { token: 'token', ms: 10_000 },
    markLost: (reason: string) => lost.push(reason),
  };
}

/** A batch of one event and one word, with no windowed second (so nothing to roll up). */
function oneEvent() {
  const counts = new BatchAggregator();
  counts.addEvent('foo');
  counts.addWord('lorem');
  return counts.take();
}

function committerWith(lease = fakeLease()) {
  const logged: string[] = [];
  const rolledUp: number[] = [];
  const committer = new Committer(
    { ingestId: 'i', lease, retryBaseMs: 1, retryMaxMs: 2 },
    {
      retrying: (error, _ms, seq) => logged.push(`retrying ${seq} ${error.message}`),
      recovered: (_ms, duplicate) => logged.push(`recovered ${duplicate}`),
    },
    { afterCommit: async (batch) => void rolledUp.push(batch.events) },
  );
  return { committer, logged, rolledUp };
}

/** A write that fails `failures` times, then answers `outcome`; records every stamp. */
function flaky(failures: number, outcome: 'applied' | 'duplicate' | 'nothing-left' = 'applied') {
  const stamps: BatchStamp[] = [];
  const commit: Commit = {
    batch: oneEvent(),
    write: async (stamp) => {
      stamps.push(stamp);
      if (stamps.length <= failures) throw new Error(`refused ${stamps.length}`);
      return outcome;
    },
  };
  return { commit, stamps };
}

describe('Committer', () => {
  it("numbers batches on from the lease's last seq and keeps a batch's number across retries", async () => {
    const { committer } = committerWith();
    const first = flaky(2);
    expect(await committer.store(first.commit)).toBe(true);
    expect(first.stamps.map((s) => s.seq)).toEqual([42, 42, 42]);
    expect(first.stamps[0]).toEqual({
      ingestId: 'i',
      seq: 42,
      lease: { token: 'token', ms: 10_000 },
    });
    const second = flaky(0);
    await committer.store(second.commit);
    expect(second.stamps.map((s) => s.seq)).toEqual([43]);
  });

  it('counts failed attempts, logs the first of an outage, and its end once stored', async () => {
    const { committer, logged, rolledUp } = committerWith();
    const { commit } = flaky(3, 'duplicate');
    await committer.store(commit);
    // Attempts 2 and 3 come within 10 s of the first: one line for the outage.
    expect(logged).toEqual(['retrying 42 refused 1', 'recovered true']);
    expect(committer.totals).toEqual({
      batches: 1,
      events: 1,
      malformedLines: 0,
      duplicates: 1,
      failedAttempts: 3,
    });
    expect(committer.failing).toBe(false);
    expect(rolledUp).toEqual([1]);
  });

  it('counts no batch when the write finds nothing left to store', async () => {
    const { committer, rolledUp } = committerWith();
    expect(await committer.store(flaky(0, 'nothing-left').commit)).toBe(true);
    expect(committer.totals.batches).toBe(0);
    expect(rolledUp).toEqual([]);
  });

  it('gives up at once, marking the lease lost, when another process holds the id', async () => {
    const lost: string[] = [];
    const { committer } = committerWith(fakeLease(lost));
    let attempts = 0;
    const stored = await committer.store({
      batch: oneEvent(),
      write: async () => {
        attempts++;
        throw new BatchRejectedError('ERR_LEASE_LOST', 'another process holds the lease');
      },
    });
    expect(stored).toBe(false);
    expect(attempts).toBe(1);
    expect(lost).toEqual(['another process holds the lease']);
    expect(committer.totals.failedAttempts).toBe(0);
  });

  it("shares its outage with a source's reads: failing until one succeeds", () => {
    const { committer, logged } = committerWith();
    committer.recordFailure(new Error('read failed'), 0);
    expect(committer.failing).toBe(true);
    expect(committer.lastError).toBe('read failed');
    expect(committer.totals.failedAttempts).toBe(1);
    committer.markWorking();
    expect(committer.failing).toBe(false);
    expect(logged).toEqual(['retrying undefined read failed', 'recovered false']);
  });
});
