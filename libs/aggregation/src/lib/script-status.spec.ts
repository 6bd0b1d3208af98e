import { BatchRejectedError } from './errors';
import { keyLayout } from './keys';
import {
  APPEND_STREAM,
  APPLY_BATCH,
  AppendStreamStatus,
  ApplyBatchStatus,
  HOLD_LEASE,
  HoldLeaseStatus,
  settle,
  type Writer,
} from './script-status';

const keys = keyLayout('p');
const ingest: Writer = { keys, role: 'ingest', id: 'i1' };
const producer: Writer = { keys, role: 'producer', id: 'p1' };

/** What settling a status gave: its outcome, or the rejection's code and message. */
function settled(run: () => string): { outcome: string } | { code: string; message: string } {
  try {
    return { outcome: run() };
  } catch (error) {
    if (!(error instanceof BatchRejectedError)) throw error;
    return { code: error.code, message: error.message };
  }
}

describe('settle', () => {
  it.each([
    [ApplyBatchStatus.Applied, { outcome: 'applied' }],
    [ApplyBatchStatus.Duplicate, { outcome: 'duplicate' }],
    [ApplyBatchStatus.EntriesNotPending, { outcome: 'stale' }],
    [
      ApplyBatchStatus.CountKeyWrongType,
      {
        code: 'ERR_COUNT_KEY_WRONG_TYPE',
        message: 'a key under "p:" that should hold counts is not a hash',
      },
    ],
    [
      ApplyBatchStatus.SeqKeyCorrupt,
      {
        code: 'ERR_SEQ_KEY_CORRUPT',
        message: 'a key "p:ingest:<id>:seq" does not hold a sequence number',
      },
    ],
    [
      ApplyBatchStatus.LeaseLost,
      {
        code: 'ERR_LEASE_LOST',
        message: 'another process holds the lease on this ingest id: nothing was written',
      },
    ],
  ])('maps apply-batch status %i', (status, expected) => {
    expect(settled(() => settle('apply-batch', APPLY_BATCH, status, ingest))).toEqual(expected);
  });

  it.each([
    [AppendStreamStatus.Duplicate, { outcome: 'duplicate' }],
    [AppendStreamStatus.Full, { outcome: 'full' }],
    [
      AppendStreamStatus.KeyWrongType,
      {
        code: 'ERR_STREAM_KEY_WRONG_TYPE',
        message: '"p:stream" is not a stream or "p:producer:p1:seq" not a sequence number',
      },
    ],
    [
      AppendStreamStatus.LeaseLost,
      {
        code: 'ERR_LEASE_LOST',
        message: 'another process holds the lease on producer id "p1": nothing was appended',
      },
    ],
  ])('maps append-stream status %i', (status, expected) => {
    expect(settled(() => settle('append-stream', APPEND_STREAM, status, producer))).toEqual(
      expected,
    );
  });

  it.each([
    [HoldLeaseStatus.Ours, { outcome: 'ours' }],
    [HoldLeaseStatus.HeldByAnother, { outcome: 'held' }],
    [
      HoldLeaseStatus.SeqKeyCorrupt,
      {
        code: 'ERR_SEQ_KEY_CORRUPT',
        message: '"p:producer:p1:seq" does not hold a sequence number',
      },
    ],
  ])('maps hold-lease status %i', (status, expected) => {
    expect(settled(() => settle('hold-lease', HOLD_LEASE, status, producer))).toEqual(expected);
  });

  it('throws a plain Error for a status the script does not reply', () => {
    const unknown = 7 as ApplyBatchStatus;
    expect(() => settle('apply-batch', APPLY_BATCH, unknown, ingest)).toThrow(
      new Error('apply-batch returned an unknown status 7'),
    );
  });
});
