/**
 * Answer bodies kept per read key and reused for as long as the store has not changed, which
 * the generation key says (every applied batch bumps it, atomically with its counts). See
 * "Identical requests share one read" in the api README.
 *
 * A body is built once: the generation is read just before it, on the same connection, so a
 * body is never newer in its label than in its content. For READ_CACHE_MS after that it is
 * served as it is; after that one shared `GET generation` (for every key at once, itself kept
 * READ_CACHE_MS) says whether it is still what Redis holds: unchanged, it is served again;
 * changed, it is built again. So no answer shows Redis older than READ_CACHE_MS (SPEC §4),
 * also when Redis has just gone away (the generation cannot be read: 503), and a 1.4 MB list
 * is built once per change of the store instead of once per READ_CACHE_MS.
 */
import { type CompressedEncoding, compressBody } from './body-encoding';
import type { ShareOptions, SharedReads } from './shared-reads';

/** Bodies are not kept beyond this many bytes in all (compressed forms included). */
export const MAX_BODY_BYTES = 96 * 1024 * 1024;
/** … nor beyond this many keys. */
export const MAX_BODIES = 10_000;
/** A body nobody asked for in this long is dropped (windowed bodies of past seconds). */
export const BODY_IDLE_MS = 10_000;

/** The key under which the generation read is shared and kept (never a read route's key). */
export const GENERATION_READ_KEY = '#generation';

/** A generation read, kept READ_CACHE_MS under GENERATION_READ_KEY. */
interface GenerationRead {
  readonly generation: number;
  /** `nowMs()` when it was sent, plus READ_CACHE_MS: what it vouches for ends then. */
  readonly freshUntilMs: number;
}

/** One answer body: its bytes, the generation it was read at, its compressed forms. */
export class AnswerBody {
  /** `nowMs()` of the last request it answered (for BODY_IDLE_MS). */
  lastServedMs: number;
  private readonly ready = new Map<CompressedEncoding, Buffer>();
  private readonly pending = new Map<CompressedEncoding, Promise<Buffer>>();

  constructor(
    /** The JSON text, UTF-8. */
    readonly plain: Buffer,
    /** The store's generation read just before the body (so at most its content's). */
    readonly generation: number,
    /** The validator: the generation and the read key, the same for every coding. */
    readonly etag: string,
    /** Until then (`nowMs()`) the body is served without asking Redis. */
    readonly freshUntilMs: number,
  ) {
    this.lastServedMs = freshUntilMs;
  }

  /** The body in `encoding` if it is compressed already: the hot path, synchronous. */
  encoded(encoding: CompressedEncoding): Buffer | undefined {
    return this.ready.get(encoding);
  }

  /** The body in `encoding`, compressed on the first call only (in zlib's thread pool). */
  encode(encoding: CompressedEncoding): Promise<Buffer> {
    const done = this.ready.get(encoding);
    if (done !== undefined) return Promise.resolve(done);
    let work = this.pending.get(encoding);
    if (work === undefined) {
      work = compressBody(this.plain, encoding).then(
        (bytes) => {
          this.ready.set(encoding, bytes);
          this.pending.delete(encoding);
          return bytes;
        },
        (error: unknown) => {
          this.pending.delete(encoding); // the next request tries again
          throw error;
        },
      );
      this.pending.set(encoding, work);
    }
    return work;
  }

  /** What the body holds in memory: its text and its compressed forms. */
  get bytes(): number {
    let total = this.plain.length;
    for (const bytes of this.ready.values()) total += bytes.length;
    return total;
  }
}

/** How each count or stats answer got its body; exported to /metrics (`metrics.ts`). */
export interface AnswerCounts {
  /** Built from a Redis read of their own. */
  redis: number;
  /** Joined an identical build or revalidation in flight. */
  shared: number;
  /** Served from memory, Redis not asked. */
  cached: number;
  /** Served from memory after one `GET generation` found the store unchanged. */
  revalidated: number;
}

export interface AnswerBodiesOptions {
  /** Single-flight and its bounds (MAX_READS_IN_FLIGHT), the clock and READ_CACHE_MS. */
  readonly reads: SharedReads;
  /** One `GET <prefix>:generation` (readGeneration of @tally/aggregation). */
  readonly readGeneration: () => Promise<number>;
  /** The request deadline and the drain after a failure, for every shared read here. */
  readonly share: Omit<ShareOptions, 'keep'>;
  /** The validator of the body of `key` read at `generation`. */
  readonly etagOf: (generation: number, key: string) => string;
}

/** Bodies by read key, each reused while the store's generation is unchanged. */
export class AnswerBodies {
  readonly counts: AnswerCounts = { redis: 0, shared: 0, cached: 0, revalidated: 0 };
  private readonly bodies = new Map<string, AnswerBody>();
  private readonly reads: SharedReads;
  private readonly options: AnswerBodiesOptions;
  private nextSweepMs = 0;
  private refreshing = false;

  constructor(options: AnswerBodiesOptions) {
    this.reads = options.reads;
    this.options = options;
  }

  /** Bodies kept now. */
  get size(): number {
    return this.bodies.size;
  }

  /**
   * The body of `key` if it may be served without asking Redis: built less than
   * READ_CACHE_MS ago, or of the generation read less than READ_CACHE_MS ago. Synchronous,
   * for the fast path; counts nothing (the caller counts the answer it sends).
   */
  fresh(key: string): AnswerBody | undefined {
    const body = this.bodies.get(key);
    if (body === undefined) return undefined;
    const now = this.reads.nowMs();
    const read = this.reads.peek<GenerationRead>(GENERATION_READ_KEY);
    if (now >= body.freshUntilMs && read?.generation !== body.generation) return undefined;
    // Read the generation again before it lapses, while requests come: so they keep being
    // answered here instead of waiting for the read once it has lapsed.
    if (read !== undefined && read.freshUntilMs - now < this.reads.cacheMs / 2) {
      this.refreshGeneration();
    }
    body.lastServedMs = now;
    return body;
  }

  /**
   * The body of `key`: fresh from memory; else, once per key at a time (single-flight), the
   * kept one if a shared `GET generation` finds the store unchanged, or a new one from
   * `build()` (with the generation read just before it).
   * @throws what `build` or the generation read throws, DeadlineExceededError after the
   *   request's deadline, TooManyReadsError (see SharedReads.share)
   */
  async answer(key: string, build: () => Promise<Buffer>): Promise<AnswerBody> {
    const fresh = this.fresh(key);
    if (fresh !== undefined) {
      this.counts.cached++;
      return fresh;
    }
    let source: 'redis' | 'revalidated' | undefined;
    const body = await this.reads.share(
      key,
      async () => {
        const kept = this.bodies.get(key);
        if (kept !== undefined && (await this.generation()) === kept.generation) {
          source = 'revalidated';
          return kept;
        }
        source = 'redis';
        return this.build(key, build);
      },
      { ...this.options.share, keep: false },
    );
    this.counts[source ?? 'shared']++;
    body.lastServedMs = this.reads.nowMs();
    return body;
  }

  /** The generation, read at most READ_CACHE_MS ago; one read for every key at once. */
  private async generation(): Promise<number> {
    const known = this.reads.cached<GenerationRead>(GENERATION_READ_KEY);
    return (known ?? (await this.readGenerationShared())).generation;
  }

  private readGenerationShared(): Promise<GenerationRead> {
    return this.reads.share(
      GENERATION_READ_KEY,
      async () => {
        const freshUntilMs = this.reads.nowMs() + this.reads.cacheMs;
        return { generation: await this.options.readGeneration(), freshUntilMs };
      },
      this.options.share,
      () => 16,
    );
  }

  /** An early generation read (joined if one is in flight): it replaces the kept one. */
  private refreshGeneration(): void {
    // Nobody waits for it: a failure is left to the request that finds the kept one lapsed
    // (it reads again and answers the 503); an early read must not fail anyone.
    if (this.refreshing) return;
    this.refreshing = true;
    this.readGenerationShared()
      .catch(() => undefined)
      .finally(() => (this.refreshing = false));
  }

  private async build(key: string, build: () => Promise<Buffer>): Promise<AnswerBody> {
    const sentAtMs = this.reads.nowMs();
    // Both sent now, the GET first: Redis answers one connection's commands in order, so the
    // body holds at least what that generation held.
    const [generation, plain] = await Promise.all([this.options.readGeneration(), build()]);
    const body = new AnswerBody(
      plain,
      generation,
      this.options.etagOf(generation, key),
      sentAtMs + this.reads.cacheMs,
    );
    this.keep(key, body);
    return body;
  }

  private keep(key: string, body: AnswerBody): void {
    const now = this.reads.nowMs();
    this.bodies.delete(key);
    if (now >= this.nextSweepMs) {
      for (const [k, old] of this.bodies) {
        if (now - old.lastServedMs >= BODY_IDLE_MS || old.generation < body.generation) {
          if (now >= old.freshUntilMs) this.bodies.delete(k);
        }
      }
      this.nextSweepMs = now + 1000;
    }
    let bytes = body.bytes;
    for (const old of this.bodies.values()) bytes += old.bytes;
    // Past a bound, the bodies kept longest go first (windowed ones of past seconds).
    for (const [k, old] of this.bodies) {
      if (bytes <= MAX_BODY_BYTES && this.bodies.size < MAX_BODIES) break;
      this.bodies.delete(k);
      bytes -= old.bytes;
    }
    if (bytes <= MAX_BODY_BYTES) this.bodies.set(key, body);
  }
}
