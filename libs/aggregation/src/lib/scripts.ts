/**
 * The script registry: every Lua command tally sends, defined once per client, and its
 * TypeScript signature. Each `src/lua/<name>.lua` starts with a header that lists its KEYS,
 * ARGV and replies; the replies that are statuses have an enum in script-status.ts.
 *
 * ioredis's `defineCommand` sends EVALSHA and falls back to EVAL on NOSCRIPT (ioredis
 * `lib/Script.ts`), so a Redis restart that empties the script cache costs one extra round
 * trip, not an error.
 */
import type { Redis, Result } from 'ioredis';
import {
  appendStreamLua,
  applyBatchLua,
  holdLeaseLua,
  readRatesLua,
  readTopLua,
  releaseLeaseLua,
  rollUpLua,
  trimStreamLua,
} from '../lua/scripts.generated';
import type {
  AppendStreamStatus,
  ApplyBatchStatus,
  HoldLeaseStatus,
  ReleaseLeaseStatus,
} from './script-status';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /**
     * apply-batch.lua. No fixed key count: a batch touches as many bucket keys as it has
     * seconds and levels. Arrays are flattened by ioredis's Command (`args.flat()`), so a big
     * batch is passed as arrays, never spread (a JS call takes only so many arguments).
     */
    tallyApplyBatch(
      numKeys: number,
      keys: string[],
      args: (string | number)[],
    ): Result<ApplyBatchStatus, Context>;
    /** append-stream.lua: the new entry's id when appended, else a status. */
    tallyAppendStream(
      streamKey: string,
      seqKey: string,
      leaseKey: string,
      seq: number,
      seqTtlSeconds: number,
      maxLength: number,
      field: string,
      lines: Buffer,
      leaseToken: string,
      leaseMs: number,
    ): Result<string | AppendStreamStatus, Context>;
    /** trim-stream.lua: `[trimmed, length, pending, undelivered]`. */
    tallyTrimStream(streamKey: string): Result<number[], Context>;
    /** hold-lease.lua: `[status, last seq or ms left]`. */
    tallyHoldLease(
      leaseKey: string,
      seqKey: string,
      token: string,
      leaseMs: number,
    ): Result<[HoldLeaseStatus, number], Context>;
    /** release-lease.lua. */
    tallyReleaseLease(leaseKey: string, token: string): Result<ReleaseLeaseStatus, Context>;
    /** read-top.lua, replying with Buffers (CESU-8 members): one set, or a cached union. */
    tallyReadTopBuffer(
      numKeys: number,
      keys: string[],
      k: number,
      cacheMs?: number,
    ): Result<Buffer[], Context>;
    /** read-rates.lua: one event count per key. */
    tallyReadRates(numKeys: number, keys: string[]): Result<number[], Context>;
    /** roll-up.lua: no KEYS (it builds the child keys), so `numKeys` is 0. */
    tallyRollUp(numKeys: number, args: (string | number)[]): Result<number, Context>;
  }
}

interface CommandDefinition {
  readonly lua: string;
  /** Fixed KEYS count; without one, the caller passes it as the first argument. */
  readonly numberOfKeys?: number;
}

/** Every command by its ioredis name (ioredis adds a `…Buffer` twin of each). */
export const COMMANDS: Readonly<Record<string, CommandDefinition>> = Object.freeze({
  tallyApplyBatch: { lua: applyBatchLua },
  tallyAppendStream: { lua: appendStreamLua, numberOfKeys: 3 },
  tallyTrimStream: { lua: trimStreamLua, numberOfKeys: 1 },
  tallyHoldLease: { lua: holdLeaseLua, numberOfKeys: 2 },
  tallyReleaseLease: { lua: releaseLeaseLua, numberOfKeys: 1 },
  tallyReadTop: { lua: readTopLua },
  tallyReadRates: { lua: readRatesLua },
  tallyRollUp: { lua: rollUpLua },
});

const defined = new WeakSet<Redis>();

/**
 * `redis`, with every tally command defined on it: the first call per client defines them
 * all, later calls only look the client up. Call it wherever a command is sent; the
 * `tally…` methods exist only on a client that went through here.
 */
export function withScripts(redis: Redis): Redis {
  if (!defined.has(redis)) {
    for (const [name, definition] of Object.entries(COMMANDS)) {
      redis.defineCommand(name, definition);
    }
    defined.add(redis);
  }
  return redis;
}
