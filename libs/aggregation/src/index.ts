export { type KeyLayout, keyLayout, STREAM_GROUP, type WriterRole } from './lib/keys';
export {
  type AcquireLeaseOptions,
  DEFAULT_LEASE_MS,
  type LeaseStamp,
  LeaseHeldError,
  WriterLease,
} from './lib/lease';
export { type Batch, type CountGroup, type SecondCounts, BatchAggregator } from './lib/batch';
export {
  type BatchStamp,
  type CommitOutcome,
  type StreamCommitOutcome,
  APPLIED_SEQ_TTL_SECONDS,
  type WindowOptions,
  applyBatchCall,
  commitBatch,
} from './lib/commit-batch';
export { type CountEntry, compareEntries } from './lib/ranking';
export {
  type CountKind,
  type CountQuery,
  type Stats,
  readCounts,
  readStats,
} from './lib/read-counts';
export { RollUpQueue, rollUpBuckets } from './lib/roll-up';
export { MAX_RATE_SECONDS, readEventsPerSecond } from './lib/read-rates';
export { BatchRejectedError, type BatchRejectedCode } from './lib/errors';
export { redisFailureReason } from './lib/redis-failure';
export {
  type BucketRef,
  MAX_FUTURE_SKEW_SECONDS,
  bucketStart,
  coverWindow,
  isWindowed,
  windowLadder,
} from './lib/windows';
export { cesu8ToString, stringToCesu8 } from './lib/cesu8';
export {
  type AppendOutcome,
  type StreamEntry,
  type StreamState,
  appendStreamEntry,
  claimIdleEntries,
  commitStreamBatch,
  ensureStreamGroup,
  readNewEntries,
  readOwnPendingEntries,
  stillPending,
  trimStream,
} from './lib/stream';
