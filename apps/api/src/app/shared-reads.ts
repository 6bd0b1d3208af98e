/**
 * Identical reads share one Redis read (single-flight), and its answer body is kept for a
 * short time (a micro-cache) so that a burst of identical queries costs one read and one
 * serialization. See "Identical requests share one read" in the api README.
 */
import { DeadlineExceededError, TooManyReadsError } from './errors';

/** Cached bodies are not kept beyond this many bytes in all; past it, reads are only shared. */
export const MAX_CACHED_BYTES = 64 * 1024 * 1024;
/** … nor beyond this many distinct queries. */
export const MAX_CACHED_ENTRIES = 10_000;
/**
 * Different reads (keys) that may be in Redis at once; a request that would start one more
 * gets TooManyReadsError (503). Each key has at most one read in Redis at a time.
 */
export const MAX_READS_IN_FLIGHT = 64;

export interface SharedReadsOptions {
  /**
   * How long a finished read's body is reused, in ms, counted from when the read was sent to
   * Redis (so no answer reflects Redis older than that). 0: share reads in flight only.
   */
  readonly cacheMs: number;
  /** A monotonic clock in ms; injectable for tests. */
  readonly clockMs?: () => number;
  /** Different reads in flight at once; default MAX_READS_IN_FLIGHT. */
  readonly maxInFlight?: number;
}

export interface ShareOptions {
  /**
   * Longest this request waits for its body, in ms from the call; then DeadlineExceededError.
   * Also the age (since it was sent) up to which a read in flight may still be joined: an
   * older one is waited out, never joined, so a request gets nothing sent longer before it.
   */
  readonly waitMs: number;
  /**
   * After a read failed: resolves once the work it sent is over in Redis (a PING sent after it
   * has been answered). Until then its key stays in flight, so an identical read is not
   * started beside it. Default: at once.
   */
  readonly drained?: () => Promise<void>;
  /**
   * Whether a finished read's value is kept for `cacheMs` (default true). False for values
   * whose owner keeps them itself (answer-bodies.ts: bodies revalidated by generation).
   */
  readonly keep?: boolean;
}

/** How each request got its body; exported to /metrics (`metrics.ts`). */
export interface SharedReadCounts {
  /** Requests that sent a read to Redis. */
  redis: number;
  /** Requests that joined an identical read already in flight. */
  shared: number;
  /** Requests answered from the micro-cache. */
  cached: number;
  /** Requests that waited for an identical read still busy in Redis before theirs. */
  waited: number;
  /** Requests refused because MAX_READS_IN_FLIGHT different reads were in flight. */
  refused: number;
}

interface Cached {
  /** A body (Buffer) or, for typed reads, the value itself (see {@link SharedReads.share}). */
  readonly body: unknown;
  /** What `body` counts against MAX_CACHED_BYTES. */
  readonly bytes: number;
  /** `clockMs()` before which `body` may be reused. */
  readonly expiresAtMs: number;
}

interface InFlight {
  readonly body: Promise<unknown>;
  readonly sentAtMs: number;
  /** Set when `body` rejected: nobody joins it then, they wait for `over`. */
  failed: boolean;
  /** Resolves once the entry is gone: the read answered, or failed and Redis is done with it. */
  readonly over: Promise<void>;
}

const monotonicMs = () => performance.now();
const bufferBytes = (value: unknown) => (value as Buffer).length;
const atOnce = () => Promise.resolve();

/**
 * Single-flight and micro-cache of answer bodies, by query key.
 *
 * Bounds: at most one read per key is in Redis at a time, and at most `maxInFlight` keys. A
 * read stays in flight until Redis has really finished it, not only until its requests gave
 * up: a request that comes while an identical read is still busy (older than its `waitMs`, or
 * failed but not yet `drained`) waits for it to end, then starts a fresh one (or joins one
 * another waiter started), within its own `waitMs`. So a client polling a read that Redis
 * takes 5 s to answer keeps one such read in Redis, never a queue of them.
 *
 * A failed read is shared only by the requests already waiting for it and never cached: the
 * next request reads again once it is drained (an outage is never served from memory after
 * Redis is back).
 */
export class SharedReads {
  readonly counts: SharedReadCounts = { redis: 0, shared: 0, cached: 0, waited: 0, refused: 0 };
  /** How long a finished read's value is reused, in ms (READ_CACHE_MS). */
  readonly cacheMs: number;
  private readonly clockMs: () => number;
  private readonly maxInFlight: number;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly cache = new Map<string, Cached>();
  private cachedBytes = 0;
  private nextSweepMs = 0;

  constructor(options: SharedReadsOptions) {
    if (!Number.isInteger(options.cacheMs) || options.cacheMs < 0) {
      throw new RangeError(`cacheMs must be an integer >= 0, got ${options.cacheMs}`);
    }
    this.cacheMs = options.cacheMs;
    this.clockMs = options.clockMs ?? monotonicMs;
    this.maxInFlight = options.maxInFlight ?? MAX_READS_IN_FLIGHT;
  }

  /** The monotonic clock all ages here are measured with, in ms. */
  nowMs(): number {
    return this.clockMs();
  }

  /** Different reads in Redis now (at most `maxInFlight`). */
  get readsInFlight(): number {
    return this.inFlight.size;
  }

  /**
   * The cached body of `key` if it is still fresh: the hot path, with no promise or timer.
   * `T` is what the read of `key` resolved to: a Buffer, unless a typed read stored it.
   */
  cached<T = Buffer>(key: string): T | undefined {
    const entry = this.cache.get(key);
    if (entry === undefined) return undefined;
    if (this.clockMs() < entry.expiresAtMs) {
      this.counts.cached++;
      return entry.body as T;
    }
    this.forget(key, entry);
    return undefined;
  }

  /** Like `cached(key)`, but counts nothing and forgets nothing: a look at the cache only. */
  peek<T>(key: string): T | undefined {
    const entry = this.cache.get(key);
    return entry !== undefined && this.clockMs() < entry.expiresAtMs
      ? (entry.body as T)
      : undefined;
  }

  /**
   * The body of `key`: from the read in flight for the same key if it may be joined, else
   * from `read()` once no identical read is busy in Redis; a fresh body is then cached for
   * `cacheMs` from when its read was sent. Call `cached(key)` first. A typed read (a value,
   * not a Buffer: the live hub's totals, rates and counts) gives `bytesOf` its cached size; one
   * key always holds one type.
   * @throws whatever `read` throws, to every request that waited for that read;
   *   DeadlineExceededError after `waitMs`; TooManyReadsError when `maxInFlight` other keys
   *   are in flight
   */
  share<T = Buffer>(
    key: string,
    read: () => Promise<T>,
    options: ShareOptions,
    bytesOf: (value: T) => number = bufferBytes,
  ): Promise<T> {
    const { waitMs } = options;
    const waiter = { gaveUp: false };
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiter.gaveUp = true;
        reject(new DeadlineExceededError(waitMs));
      }, waitMs);
      this.join(key, read, options, waiter, bytesOf as (value: unknown) => number).then(
        (body) => {
          clearTimeout(timer);
          resolve(body as T);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  private join(
    key: string,
    read: () => Promise<unknown>,
    options: ShareOptions,
    waiter: { gaveUp: boolean },
    bytesOf: (value: unknown) => number,
  ): Promise<unknown> {
    const pending = this.inFlight.get(key);
    if (pending !== undefined) {
      if (!pending.failed && this.clockMs() - pending.sentAtMs < options.waitMs) {
        this.counts.shared++;
        return pending.body;
      }
      // Still busy in Redis: wait for it, then read afresh, unless this request gave up.
      this.counts.waited++;
      return pending.over.then(() => {
        if (waiter.gaveUp) throw new DeadlineExceededError(options.waitMs); // nobody to read for
        return this.cached<unknown>(key) ?? this.join(key, read, options, waiter, bytesOf);
      });
    }
    if (this.inFlight.size >= this.maxInFlight) {
      this.counts.refused++;
      return Promise.reject(new TooManyReadsError(this.maxInFlight));
    }
    this.counts.redis++;
    const sentAtMs = this.clockMs();
    const body = read();
    let ended!: () => void;
    const entry: InFlight = {
      body,
      sentAtMs,
      failed: false,
      over: new Promise<void>((resolve) => (ended = resolve)),
    };
    this.inFlight.set(key, entry);
    const end = () => {
      if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
      ended();
    };
    // Registered before any waiter's own handlers, so the entry is settled (and the body
    // cached) before a waiter resumes; the rejection itself is handled by the waiters.
    body.then(
      (value) => {
        end(); // Redis answered: its work is over
        if (options.keep !== false) this.store(key, value, bytesOf(value), sentAtMs + this.cacheMs);
      },
      () => {
        entry.failed = true;
        (options.drained ?? atOnce)().then(end, end);
      },
    );
    return body;
  }

  private store(key: string, body: unknown, bytes: number, expiresAtMs: number): void {
    const now = this.clockMs();
    if (now >= expiresAtMs) return; // the read took longer than cacheMs (or cacheMs is 0)
    if (now >= this.nextSweepMs) {
      for (const [k, entry] of this.cache) if (now >= entry.expiresAtMs) this.forget(k, entry);
      this.nextSweepMs = now + this.cacheMs;
    }
    const old = this.cache.get(key);
    if (old !== undefined) this.forget(key, old);
    if (this.cache.size >= MAX_CACHED_ENTRIES || this.cachedBytes + bytes > MAX_CACHED_BYTES) {
      return;
    }
    this.cache.set(key, { body, bytes, expiresAtMs });
    this.cachedBytes += bytes;
  }

  private forget(key: string, entry: Cached): void {
    this.cache.delete(key);
    this.cachedBytes -= entry.bytes;
  }
}
