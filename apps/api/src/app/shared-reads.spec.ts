import { DeadlineExceededError, TooManyReadsError } from './errors';
import { MAX_CACHED_BYTES, SharedReads, type ShareOptions } from './shared-reads';

/** A promise settled from outside, standing for a Redis read in flight. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** How long a request waits in these tests, unless a test says otherwise. */
const WAIT_MS = 1500;

/**
 * SharedReads on a clock the test moves by hand, with a read function that counts calls and
 * a `drained` the test settles by hand (`drains`, one per failed read).
 */
function setup(cacheMs = 100, maxInFlight?: number) {
  let nowMs = 1000;
  const reads = new SharedReads({ cacheMs, clockMs: () => nowMs, maxInFlight });
  const pending: ReturnType<typeof deferred<Buffer>>[] = [];
  const drains: ReturnType<typeof deferred<void>>[] = [];
  const read = () => {
    const d = deferred<Buffer>();
    pending.push(d);
    return d.promise;
  };
  const options: ShareOptions = { waitMs: WAIT_MS };
  const drained: ShareOptions = {
    waitMs: WAIT_MS,
    drained: () => {
      const d = deferred<void>();
      drains.push(d);
      return d.promise;
    },
  };
  /** What a request does: the cache, else the shared read. */
  const get = (key: string, how = options) => reads.cached(key) ?? reads.share(key, read, how);
  return {
    drains,
    drained,
    reads,
    read,
    get,
    pending,
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

const body = (text: string) => Buffer.from(text);

/** Lets the promise reactions queued so far run (no timers are involved). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('SharedReads', () => {
  // share() arms a real timer per request (its waitMs): fake ones, so none outlives a test.
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('gives concurrent identical requests one read and its result', async () => {
    const { get, pending, reads } = setup();
    const answers = Promise.all([get('a'), get('a'), get('a')]);
    expect(pending).toHaveLength(1);
    pending[0].resolve(body('{"x":1}'));
    expect((await answers).map(String)).toEqual(['{"x":1}', '{"x":1}', '{"x":1}']);
    expect(reads.counts).toMatchObject({ redis: 1, shared: 2, cached: 0 });
  });

  it('reuses a finished body until cacheMs after its read was sent, then reads again', async () => {
    const { get, pending, reads, advance } = setup(100);
    const first = get('a');
    advance(30); // the read takes 30 ms
    pending[0].resolve(body('old'));
    await first;
    advance(69); // 99 ms after the read was sent
    expect(String(reads.cached('a'))).toBe('old');
    advance(1); // 100 ms
    expect(reads.cached('a')).toBeUndefined();
    const second = get('a');
    expect(pending).toHaveLength(2);
    pending[1].resolve(body('new'));
    expect(String(await second)).toBe('new');
    expect(reads.counts).toMatchObject({ redis: 2, shared: 0, cached: 1 });
  });

  it('does not cache a read that took longer than cacheMs', async () => {
    const { get, pending, reads, advance } = setup(100);
    const first = get('a');
    advance(150);
    pending[0].resolve(body('slow'));
    await first;
    expect(reads.cached('a')).toBeUndefined();
  });

  it('with cacheMs 0 shares reads in flight and keeps nothing', async () => {
    const { get, pending, reads } = setup(0);
    const both = Promise.all([get('a'), get('a')]);
    pending[0].resolve(body('x'));
    await both;
    expect(reads.cached('a')).toBeUndefined();
    const again = get('a');
    expect(pending).toHaveLength(2);
    pending[1].resolve(body('y'));
    await again;
  });

  it('shares a failure with the requests that waited for it, and forgets it once drained', async () => {
    const { get, pending, reads } = setup(100);
    const waiting = [get('a'), get('a')];
    const failure = new Error('Connection is closed.');
    pending[0].reject(failure);
    for (const answer of waiting) await expect(answer).rejects.toBe(failure);
    // Same instant (the clock has not moved): the next request reads again.
    expect(reads.cached('a')).toBeUndefined();
    const retry = get('a');
    expect(pending).toHaveLength(2);
    pending[1].resolve(body('back'));
    expect(String(await retry)).toBe('back');
    expect(reads.counts).toMatchObject({ redis: 2, shared: 1, cached: 0 });
  });

  it('never shares between different keys', async () => {
    const { get, pending } = setup();
    const answers = Promise.all([get('a'), get('b'), get('a')]);
    expect(pending).toHaveLength(2);
    pending[0].resolve(body('A'));
    pending[1].resolve(body('B'));
    expect((await answers).map(String)).toEqual(['A', 'B', 'A']);
  });

  it('stops caching past its byte budget but still shares reads in flight', async () => {
    const { get, pending, reads } = setup();
    const big = Buffer.alloc(MAX_CACHED_BYTES / 2 + 1);
    const first = get('a');
    pending[0].resolve(big);
    await first;
    const both = Promise.all([get('b'), get('b')]);
    expect(pending).toHaveLength(2);
    pending[1].resolve(big);
    await both;
    expect(reads.cached('a')).toBe(big);
    expect(reads.cached('b')).toBeUndefined();
  });

  it('gives every waiter DeadlineExceededError after waitMs while the read goes on', async () => {
    const { get, pending, reads } = setup();
    const waiting = [get('a'), get('a')];
    jest.advanceTimersByTime(WAIT_MS);
    for (const answer of waiting)
      await expect(answer).rejects.toEqual(new DeadlineExceededError(WAIT_MS));
    expect(reads.readsInFlight).toBe(1); // Redis still has it
    pending[0].resolve(body('late'));
    await settle();
    expect(reads.readsInFlight).toBe(0);
  });

  it('keeps a failed read in flight until it is drained: an identical request waits, then reads once', async () => {
    const { get, pending, drains, drained, reads } = setup();
    const first = get('a', drained);
    pending[0].reject(new Error('Command timed out'));
    await expect(first).rejects.toThrow('Command timed out');
    const second = get('a', drained);
    const third = get('a', drained);
    expect(pending).toHaveLength(1); // no read beside the one Redis is still busy with
    expect(reads.readsInFlight).toBe(1);
    drains[0].resolve();
    await settle();
    expect(pending).toHaveLength(2); // one fresh read, for both
    pending[1].resolve(body('fresh'));
    expect((await Promise.all([second, third])).map(String)).toEqual(['fresh', 'fresh']);
    expect(reads.counts).toMatchObject({ redis: 2, shared: 1, waited: 2 });
  });

  it('does not join a read sent waitMs or longer ago: it waits for it, then reads afresh', async () => {
    const { get, pending, advance, reads } = setup();
    const first = get('a');
    advance(WAIT_MS - 1);
    const joined = get('a'); // sent 1499 ms ago: may still be joined
    advance(1);
    const late = get('a'); // sent 1500 ms ago: too old to hand to this request
    expect(pending).toHaveLength(1);
    pending[0].resolve(body('old'));
    expect(String(await first)).toBe('old');
    expect(String(await joined)).toBe('old');
    await settle();
    expect(pending).toHaveLength(2);
    pending[1].resolve(body('new'));
    expect(String(await late)).toBe('new');
    expect(reads.counts).toMatchObject({ redis: 2, shared: 1, waited: 1 });
  });

  it('starts no read for a request that gave up while it waited for its predecessor', async () => {
    const { get, pending, advance, reads } = setup();
    void Promise.resolve(get('a')).catch(() => undefined);
    advance(WAIT_MS);
    const late = get('a');
    jest.advanceTimersByTime(WAIT_MS);
    await expect(late).rejects.toBeInstanceOf(DeadlineExceededError);
    pending[0].resolve(body('done'));
    await settle();
    expect(pending).toHaveLength(1);
    expect(reads.readsInFlight).toBe(0);
  });

  it('refuses a new key past maxInFlight, and still shares and caches the others', async () => {
    const { get, pending, reads } = setup(100, 2);
    const a = get('a');
    const b = get('b');
    await expect(get('c')).rejects.toEqual(new TooManyReadsError(2));
    const a2 = get('a'); // an identical read in flight is no new work
    expect(pending).toHaveLength(2);
    pending[0].resolve(body('A'));
    pending[1].resolve(body('B'));
    expect((await Promise.all([a, a2, b])).map(String)).toEqual(['A', 'A', 'B']);
    expect(String(reads.cached('a'))).toBe('A');
    const c = get('c'); // room again
    expect(pending).toHaveLength(3);
    pending[2].resolve(body('C'));
    expect(String(await c)).toBe('C');
    expect(reads.counts.refused).toBe(1);
  });

  it('rejects a negative or fractional cacheMs', () => {
    expect(() => new SharedReads({ cacheMs: -1 })).toThrow(RangeError);
    expect(() => new SharedReads({ cacheMs: 0.5 })).toThrow(RangeError);
  });
});
