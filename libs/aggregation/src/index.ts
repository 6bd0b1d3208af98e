// The public API of @tally/aggregation: what the apps and tools import, nothing else (test
// helpers are in @tally/aggregation/testing). Internals stay reachable from the lib's own specs.
export { type KeyLayout, keyLayout } from './lib/keys';
export { type Batch, BatchAggregator } from './lib/batch';
export { type WindowOptions, commitBatch } from './lib/commit-batch';
export { type CountEntry } from './lib/ranking';
export { type CountKind, type CountQuery, readCounts, readStats } from './lib/read-counts';
export { readGeneration } from './lib/generation';
export { readEventsPerSecond } from './lib/read-rates';
export {
  MALFORMED_RECENT_MAX,
  type MalformedReport,
  type MalformedSample,
  readMalformed,
  sampleText,
} from './lib/malformed';
export { isWindowed } from './lib/windows';
export { RollUpQueue, rollUpBuckets } from './lib/roll-up';
export {
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
export { WriterLease } from './lib/lease';
export { BatchRejectedError, LeaseHeldError } from './lib/errors';
export { redisFailureReason } from './lib/redis-failure';
