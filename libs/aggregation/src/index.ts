export { type KeyLayout, keyLayout } from './lib/keys';
export { type Batch, type CountGroup, type SecondCounts, BatchAggregator } from './lib/batch';
export {
  type BatchStamp,
  type CommitOutcome,
  APPLIED_SEQ_TTL_SECONDS,
  type WindowOptions,
  applyBatchCall,
  commitBatch,
} from './lib/commit-batch';
export { type CountEntry, compareEntries, rankEntries } from './lib/ranking';
export {
  type CountKind,
  type CountQuery,
  type Stats,
  readCounts,
  readStats,
} from './lib/read-counts';
export { BatchRejectedError, type BatchRejectedCode } from './lib/errors';
export {
  type BucketRef,
  MAX_FUTURE_SKEW_SECONDS,
  bucketStart,
  coverWindow,
  isWindowed,
  windowLadder,
} from './lib/windows';
export { cesu8ToString, stringToCesu8 } from './lib/cesu8';
