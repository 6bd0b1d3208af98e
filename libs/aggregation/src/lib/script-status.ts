/**
 * What the write scripts' status replies mean: one enum per script (the numbers its header
 * lists) and one table per script that turns every status into an outcome or a typed error.
 * The tables are `Record`s over the enum, so a status added to a script and its enum does not
 * compile until it has a meaning here. `settle` is the only place where a status becomes an
 * error; callers branch on the error's `code`, never on its message.
 */
import type { AppendOutcome } from './stream';
import type { StreamCommitOutcome } from './commit-batch';
import { type BatchRejectedCode, BatchRejectedError } from './errors';
import type { KeyLayout, WriterRole } from './keys';

/** apply-batch.lua's reply. */
export enum ApplyBatchStatus {
  Applied = 1,
  Duplicate = 0,
  CountKeyWrongType = -1,
  SeqKeyCorrupt = -2,
  /** Only with the stream section: not every entry is still pending (nothing written). */
  EntriesNotPending = -3,
  LeaseLost = -4,
}

/** append-stream.lua's reply when it appended nothing (else it replies the entry's id). */
export enum AppendStreamStatus {
  Duplicate = 0,
  Full = -1,
  /** The stream key is not a stream, or the producer's seq key not a sequence number. */
  KeyWrongType = -2,
  LeaseLost = -4,
}

/** hold-lease.lua's first reply element. */
export enum HoldLeaseStatus {
  /** The second element is the id's last sequence number. */
  Ours = 1,
  /** The second element is the ms the other holder has left (-1: no expiry). */
  HeldByAnother = 0,
  SeqKeyCorrupt = -2,
}

/** release-lease.lua's reply. */
export enum ReleaseLeaseStatus {
  Released = 1,
  NotOurs = 0,
}

/** Who was writing, for the error messages. */
export interface Writer {
  readonly keys: KeyLayout;
  readonly role: WriterRole;
  readonly id: string;
}

interface Rejection {
  readonly code: BatchRejectedCode;
  readonly message: (writer: Writer) => string;
}

const reject = (code: BatchRejectedCode, message: (writer: Writer) => string): Rejection => ({
  code,
  message,
});

type StatusTable<S extends number, O extends string> = Readonly<Record<S, O | Rejection>>;

export const APPLY_BATCH: StatusTable<ApplyBatchStatus, StreamCommitOutcome> = Object.freeze({
  [ApplyBatchStatus.Applied]: 'applied',
  [ApplyBatchStatus.Duplicate]: 'duplicate',
  [ApplyBatchStatus.EntriesNotPending]: 'stale',
  [ApplyBatchStatus.CountKeyWrongType]: reject(
    'ERR_COUNT_KEY_WRONG_TYPE',
    ({ keys }) => `a key under "${keys.prefix}:" that should hold counts is not a hash`,
  ),
  [ApplyBatchStatus.SeqKeyCorrupt]: reject(
    'ERR_SEQ_KEY_CORRUPT',
    ({ keys }) => `a key "${keys.writerSeq('ingest', '<id>')}" does not hold a sequence number`,
  ),
  [ApplyBatchStatus.LeaseLost]: reject(
    'ERR_LEASE_LOST',
    () => 'another process holds the lease on this ingest id: nothing was written',
  ),
});

export const APPEND_STREAM: StatusTable<
  AppendStreamStatus,
  Exclude<AppendOutcome, 'appended'>
> = Object.freeze({
  [AppendStreamStatus.Duplicate]: 'duplicate',
  [AppendStreamStatus.Full]: 'full',
  [AppendStreamStatus.KeyWrongType]: reject(
    'ERR_STREAM_KEY_WRONG_TYPE',
    ({ keys, id }) =>
      `"${keys.stream}" is not a stream or "${keys.producerSeq(id)}" not a sequence number`,
  ),
  [AppendStreamStatus.LeaseLost]: reject(
    'ERR_LEASE_LOST',
    ({ id }) => `another process holds the lease on producer id "${id}": nothing was appended`,
  ),
});

export const HOLD_LEASE: StatusTable<HoldLeaseStatus, 'ours' | 'held'> = Object.freeze({
  [HoldLeaseStatus.Ours]: 'ours',
  [HoldLeaseStatus.HeldByAnother]: 'held',
  [HoldLeaseStatus.SeqKeyCorrupt]: reject(
    'ERR_SEQ_KEY_CORRUPT',
    ({ keys, role, id }) => `"${keys.writerSeq(role, id)}" does not hold a sequence number`,
  ),
});

/**
 * The outcome `status` of `script` stands for.
 * @throws BatchRejectedError with the status's code when it means the script refused and
 *   wrote nothing
 * @throws Error when the status is not one the script replies (a script and its enum disagree)
 */
export function settle<S extends number, O extends string>(
  script: string,
  table: StatusTable<S, O>,
  status: S,
  writer: Writer,
): O {
  if (!Object.hasOwn(table, status)) {
    throw new Error(`${script} returned an unknown status ${status}`);
  }
  const meaning: O | Rejection = table[status];
  if (typeof meaning === 'string') return meaning;
  throw new BatchRejectedError(meaning.code, meaning.message(writer));
}
