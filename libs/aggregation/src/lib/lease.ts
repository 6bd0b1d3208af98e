import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LeaseHeldError } from './errors';
import type { KeyLayout, WriterRole } from './keys';
import { HOLD_LEASE, HoldLeaseStatus, settle } from './script-status';
import { withScripts } from './scripts';

/**
 * How long a writer id stays taken after its holder's last renewal or write.
 * @default 10 s: a SIGKILLed holder's id is free again at most this long after it died.
 */
export const DEFAULT_LEASE_MS = 10_000;

/** What write scripts need to check and refresh the lease (apply-batch, append-stream). */
export interface LeaseStamp {
  readonly token: string;
  readonly ms: number;
}

export interface AcquireLeaseOptions {
  /** How long the lease lasts without a renewal or a write, in ms. @default DEFAULT_LEASE_MS */
  readonly leaseMs?: number;
  /** A monotonic clock in ms (never the wall clock: it may jump); injectable for tests. */
  readonly clockMs?: () => number;
  /**
   * Called when the wait starts and each time its reason changes: `'held'` (another token
   * holds the id; `detail` the ms it has left) or `'error'` (Redis cannot be reached).
   */
  readonly onWait?: (reason: 'held' | 'error', detail: string) => void;
  /** First and longest wait between two attempts while Redis fails, in ms. */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** Stops waiting (a stop signal during start-up): `acquire` rejects with its reason. */
  readonly signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const monotonicMs = () => performance.now();

/**
 * The right to write as writer `id` (an INGEST_ID or PRODUCER_ID): one live process at a
 * time, so that a restart with a fixed id continues its sequence instead of reusing numbers
 * Redis has seen (which it would take for duplicates), and two processes never share one.
 *
 * `acquire` takes the lease (waiting while another process holds it, up to one lease time,
 * see there) and reads the id's last sequence number in the same script; `renewEvery`
 * keeps it while the process lives; every write script checks it first and refreshes it;
 * `release` gives it back at a clean stop. A lease that lapsed (Redis away longer than the
 * lease) is simply taken again, unless another process took it meanwhile: then this one has
 * lost it, and `lost` tells.
 */
export class WriterLease {
  readonly stamp: LeaseStamp;
  private lostReason: string | undefined;
  private readonly lostListeners: ((reason: string) => void)[] = [];
  private renewTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly seqKey: string,
    /** The id's last sequence number when the lease was taken: the next one is this + 1. */
    readonly lastSeq: number,
    readonly leaseMs: number,
    readonly token: string,
  ) {
    this.stamp = Object.freeze({ token, ms: leaseMs });
  }

  /**
   * Takes the lease on `id`, retrying while Redis cannot be reached (a process that starts
   * during an outage waits, it does not exit). While another token holds it, waits for it to
   * lapse (the holder was killed): at most the time it had left when first seen plus a tenth
   * of a lease. Still held after that means it was renewed, so its holder is alive.
   * @throws LeaseHeldError when another live process holds the id
   * @throws BatchRejectedError ERR_SEQ_KEY_CORRUPT when the id's sequence key is not a number
   */
  static async acquire(
    redis: Redis,
    keys: KeyLayout,
    role: WriterRole,
    id: string,
    options: AcquireLeaseOptions = {},
  ): Promise<WriterLease> {
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    const clock = options.clockMs ?? monotonicMs;
    const key = keys.writerLease(role, id);
    const seqKey = keys.writerSeq(role, id);
    const token = randomUUID();
    let firstSeenAt: number | undefined;
    let heldUntil: number | undefined;
    let waiting: 'held' | 'error' | undefined;
    for (let attempt = 0; ;) {
      options.signal?.throwIfAborted();
      let reply: [HoldLeaseStatus, number];
      try {
        reply = await withScripts(redis).tallyHoldLease(key, seqKey, token, leaseMs);
      } catch (error) {
        // The first attempts of a fresh client fail while it connects: not worth a word yet.
        if (waiting !== 'error' && attempt >= 2) {
          options.onWait?.('error', (error as Error).message);
          waiting = 'error';
        }
        const base = options.retryBaseMs ?? 50;
        await sleep(Math.min(base * 2 ** Math.min(attempt++, 10), options.retryMaxMs ?? 2_000));
        continue;
      }
      attempt = 0;
      const [status, value] = reply;
      if (settle('hold-lease', HOLD_LEASE, status, { keys, role, id }) === 'ours') {
        const lease = new WriterLease(redis, key, seqKey, value, leaseMs, token);
        // Stopped while the reply was on its way: give it straight back.
        if (options.signal?.aborted) await lease.release();
        options.signal?.throwIfAborted();
        return lease;
      }
      // Held: `value` is the time it has left (-1: no expiry, set by hand; wait a lease).
      const left = value > 0 ? value : leaseMs;
      firstSeenAt ??= clock();
      heldUntil ??= firstSeenAt + left + leaseMs / 10;
      if (clock() > heldUntil) {
        const waited = Math.round(clock() - firstSeenAt);
        throw new LeaseHeldError(
          `${role} id "${id}" is in use by another running ${role}: its lease was renewed while this one waited ${waited} ms for it to lapse`,
        );
      }
      if (waiting !== 'held') options.onWait?.('held', `${left} ms left`);
      waiting = 'held';
      await sleep(Math.max(5, Math.min(left + 5, heldUntil - clock(), 500)));
    }
  }

  /** Why the lease was lost, or undefined while it is ours. */
  get lost(): string | undefined {
    return this.lostReason;
  }

  /** Calls `listener` once if the lease is lost (at once if it was lost already). */
  onLost(listener: (reason: string) => void): void {
    if (this.lostReason !== undefined) listener(this.lostReason);
    else this.lostListeners.push(listener);
  }

  /**
   * Records that a write found another process holding the id (status -4 of a write
   * script), and tells the `onLost` listeners. Idempotent.
   */
  markLost(reason: string): void {
    if (this.lostReason !== undefined) return;
    this.lostReason = reason;
    this.stopRenewing();
    for (const listener of this.lostListeners.splice(0)) listener(reason);
  }

  /**
   * Renews the lease every `leaseMs / 3` (so two renewals can fail before it lapses). A
   * failed renewal (Redis away) is retried at the next one; one that finds another token
   * holding the id marks the lease lost. The timer does not keep the process alive.
   */
  renewEvery(): void {
    if (this.renewTimer !== undefined || this.lostReason !== undefined) return;
    const renew = async () => {
      try {
        const [status] = await withScripts(this.redis).tallyHoldLease(
          this.key,
          this.seqKey,
          this.token,
          this.leaseMs,
        );
        if (status === HoldLeaseStatus.HeldByAnother) {
          this.markLost('another process took the id while this one was cut off');
        }
      } catch {
        // Redis away: the next renewal tries again; a write refreshes the lease as well.
      }
    };
    this.renewTimer = setInterval(() => void renew(), Math.max(1, Math.floor(this.leaseMs / 3)));
    this.renewTimer.unref();
  }

  stopRenewing(): void {
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  /**
   * Stops renewing and gives the id back if this process still holds it (a clean stop: the
   * next process with this id starts at once). Best effort: when Redis cannot be reached the
   * lease simply lapses after `leaseMs`.
   */
  async release(): Promise<void> {
    this.stopRenewing();
    if (this.lostReason !== undefined) return;
    try {
      await withScripts(this.redis).tallyReleaseLease(this.key, this.token);
    } catch {
      // Unreachable Redis: the lease lapses by itself.
    }
  }
}
