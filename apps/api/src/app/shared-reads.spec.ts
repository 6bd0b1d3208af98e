import { MAX_CACHED_BYTES, SharedReads } from './shared-reads';

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

/** SharedReads on a clock the test moves by hand, with a read function that counts calls. */
function setup(cacheMs = 100) {
  let nowMs = 1000;
  const reads = new SharedReads({ cacheMs, clockMs: () => nowMs });
  const pending: ReturnType<typeof deferred<Buffer>>[] = [];
  const read = () => {
    const d = deferred<Buffer>();
    pending.push(d);
    return d.promise;
  };
  /** What a request does: the cache, else the shared read. */
  const get = (key: string) => reads.cached(key) ?? reads.share(key, read);
  return {
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

describe('SharedReads', () => {
  it('gives concurrent identical requests one read and its result', async () => {
    const { get, pending, reads } = setup();
    const answers = Promise.all([get('a'), get('a'), get('a')]);
    expect(pending).toHaveLength(1);
    pending[0].resolve(body('{"x":1}'));
    expect((await answers).map(String)).toEqual(['{"x":1}', '{"x":1}', '{"x":1}']);
    expect(reads.counts).toEqual({ redis: 1, shared: 2, cached: 0 });
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
    expect(reads.counts).toEqual({ redis: 2, shared: 0, cached: 1 });
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
    void get('a');
    expect(pending).toHaveLength(2);
  });

  it('shares a failure with the requests that waited for it, and forgets it at once', async () => {
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
    expect(reads.counts).toEqual({ redis: 2, shared: 1, cached: 0 });
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

  it('rejects a negative or fractional cacheMs', () => {
    expect(() => new SharedReads({ cacheMs: -1 })).toThrow(RangeError);
    expect(() => new SharedReads({ cacheMs: 0.5 })).toThrow(RangeError);
  });
});
