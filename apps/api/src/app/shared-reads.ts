/**
 * Identical reads share one Redis read (single-flight), and its answer body is kept for a
 * short time (a micro-cache) so that a burst of identical queries costs one read and one
 * serialization. See "Identical requests share one read" in the api README.
 */

/** Cached bodies are not kept beyond this many bytes in all; past it, reads are only shared. */
export const MAX_CACHED_BYTES = 64 * 1024 * 1024;
/** … nor beyond this many distinct queries. */
export const MAX_CACHED_ENTRIES = 10_000;

export interface SharedReadsOptions {
  /**
   * How long a finished read's body is reused, in ms, counted from when the read was sent to
   * Redis (so no answer reflects Redis older than that). 0: share reads in flight only.
   */
  readonly cacheMs: number;
  /** A monotonic clock in ms; injectable for tests. */
  readonly clockMs?: () => number;
}

/** How each request got its body; exported to /metrics (`metrics.ts`). */
export interface SharedReadCounts {
  /** Requests that sent a read to Redis. */
  redis: number;
  /** Requests that joined an identical read already in flight. */
  shared: number;
  /** Requests answered from the micro-cache. */
  cached: number;
}

interface Cached {
  readonly body: Buffer;
  /** `clockMs()` before which `body` may be reused. */
  readonly expiresAtMs: number;
}

const monotonicMs = () => performance.now();

/**
 * Single-flight and micro-cache of answer bodies, by query key. A failed read is shared only
 * by the requests already waiting for it: it is forgotten as soon as it fails, so the next
 * request reads again (an outage is never served from memory after Redis is back).
 */
export class SharedReads {
  readonly counts: SharedReadCounts = { redis: 0, shared: 0, cached: 0 };
  private readonly cacheMs: number;
  private readonly clockMs: () => number;
  private readonly inFlight = new Map<string, Promise<Buffer>>();
  private readonly cache = new Map<string, Cached>();
  private cachedBytes = 0;
  private nextSweepMs = 0;

  constructor(options: SharedReadsOptions) {
    if (!Number.isInteger(options.cacheMs) || options.cacheMs < 0) {
      throw new RangeError(`cacheMs must be an integer >= 0, got ${options.cacheMs}`);
    }
    this.cacheMs = options.cacheMs;
    this.clockMs = options.clockMs ?? monotonicMs;
  }

  /** The cached body of `key` if it is still fresh: the hot path, with no promise or timer. */
  cached(key: string): Buffer | undefined {
    const entry = this.cache.get(key);
    if (entry === undefined) return undefined;
    if (this.clockMs() < entry.expiresAtMs) {
      this.counts.cached++;
      return entry.body;
    }
    this.forget(key, entry);
    return undefined;
  }

  /**
   * The body of `key`: the read in flight for the same key if there is one, else `read()`,
   * whose body is then cached for `cacheMs` from now. Call `cached(key)` first.
   * @throws whatever `read` throws, to every request that waited for that read
   */
  share(key: string, read: () => Promise<Buffer>): Promise<Buffer> {
    const pending = this.inFlight.get(key);
    if (pending !== undefined) {
      this.counts.shared++;
      return pending;
    }
    this.counts.redis++;
    const sentAtMs = this.clockMs();
    const promise = read();
    this.inFlight.set(key, promise);
    // Registered before any waiter's own handlers, so the entry is gone (and the body cached)
    // before a waiter resumes; the rejection itself is handled by the waiters.
    promise.then(
      (body) => {
        this.inFlight.delete(key);
        this.store(key, body, sentAtMs + this.cacheMs);
      },
      () => this.inFlight.delete(key),
    );
    return promise;
  }

  private store(key: string, body: Buffer, expiresAtMs: number): void {
    const now = this.clockMs();
    if (now >= expiresAtMs) return; // the read took longer than cacheMs (or cacheMs is 0)
    if (now >= this.nextSweepMs) {
      for (const [k, entry] of this.cache) if (now >= entry.expiresAtMs) this.forget(k, entry);
      this.nextSweepMs = now + this.cacheMs;
    }
    const old = this.cache.get(key);
    if (old !== undefined) this.forget(key, old);
    if (
      this.cache.size >= MAX_CACHED_ENTRIES ||
      this.cachedBytes + body.length > MAX_CACHED_BYTES
    ) {
      return;
    }
    this.cache.set(key, { body, expiresAtMs });
    this.cachedBytes += body.length;
  }

  private forget(key: string, entry: Cached): void {
    this.cache.delete(key);
    this.cachedBytes -= entry.body.length;
  }
}
