export { type KeyLayout, keyLayout } from './lib/keys';
export { type Batch, BatchAggregator } from './lib/batch';
export {
  type BatchStamp,
  type CommitOutcome,
  APPLIED_SEQ_TTL_SECONDS,
  applyBatchArgs,
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
