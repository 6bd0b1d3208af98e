import { AnswerBodies, BODY_IDLE_MS } from './answer-bodies';
import { SharedReads } from './shared-reads';

const CACHE_MS = 100;

/** AnswerBodies on a clock the test moves, over a generation the test sets (or breaks). */
function setup() {
  let nowMs = 1000;
  let generation = 7;
  let generationFails = false;
  const calls = { generation: 0, build: 0 };
  const reads = new SharedReads({ cacheMs: CACHE_MS, clockMs: () => nowMs });
  const answers = new AnswerBodies({
    reads,
    readGeneration: async () => {
      calls.generation++;
      if (generationFails) throw new Error('redis unavailable');
      return generation;
    },
    share: { waitMs: 1500 },
    etagOf: (g, key) => `W/"${g}-${key}"`,
  });
  const build = (text: string) => async () => {
    calls.build++;
    return Buffer.from(text);
  };
  return {
    answers,
    calls,
    build,
    advance: (ms: number) => (nowMs += ms),
    setGeneration: (g: number) => (generation = g),
    breakGeneration: () => (generationFails = true),
  };
}

describe('AnswerBodies', () => {
  it('builds a body once, with the generation read beside it, and serves it fresh for READ_CACHE_MS', async () => {
    const t = setup();
    const body = await t.answers.answer('k', t.build('{"a":1}'));
    expect(body.plain.toString()).toBe('{"a":1}');
    expect(body.etag).toBe('W/"7-k"');
    expect(t.calls).toEqual({ generation: 1, build: 1 });
    t.advance(CACHE_MS - 1);
    expect(t.answers.fresh('k')).toBe(body);
    expect(await t.answers.answer('k', t.build('x'))).toBe(body);
    expect(t.calls).toEqual({ generation: 1, build: 1 });
    expect(t.answers.counts).toEqual({ redis: 1, shared: 0, cached: 1, revalidated: 0 });
  });

  it('after READ_CACHE_MS, reuses the body when one generation read finds it unchanged', async () => {
    const t = setup();
    const body = await t.answers.answer('k', t.build('{"a":1}'));
    const other = await t.answers.answer('other', t.build('{"b":1}'));
    t.advance(CACHE_MS);
    expect(t.answers.fresh('k')).toBeUndefined();
    expect(await t.answers.answer('k', t.build('never'))).toBe(body);
    expect(t.calls).toEqual({ generation: 3, build: 2 });
    // That read vouches for every body of its generation until READ_CACHE_MS after it.
    expect(t.answers.fresh('other')).toBe(other);
    t.advance(CACHE_MS);
    expect(t.answers.fresh('other')).toBeUndefined();
    expect(t.answers.counts.revalidated).toBe(1);
  });

  it('builds again once the generation has moved, with a new ETag', async () => {
    const t = setup();
    const before = await t.answers.answer('k', t.build('{"a":1}'));
    t.setGeneration(8);
    t.advance(CACHE_MS - 1);
    expect(await t.answers.answer('k', t.build('{"a":2}'))).toBe(before); // still fresh
    t.advance(1);
    const after = await t.answers.answer('k', t.build('{"a":2}'));
    expect(after.plain.toString()).toBe('{"a":2}');
    expect(after.etag).toBe('W/"8-k"');
    expect(t.calls.build).toBe(2);
  });

  it('serves nothing kept once READ_CACHE_MS has passed and the generation cannot be read', async () => {
    const t = setup();
    await t.answers.answer('k', t.build('{"a":1}'));
    t.advance(CACHE_MS);
    t.breakGeneration();
    await expect(t.answers.answer('k', t.build('x'))).rejects.toThrow('redis unavailable');
    await expect(t.answers.answer('k', t.build('x'))).rejects.toThrow('redis unavailable');
    expect(t.calls.build).toBe(1);
  });

  it('shares one build among concurrent requests', async () => {
    const t = setup();
    const bodies = await Promise.all(
      Array.from({ length: 8 }, () => t.answers.answer('k', t.build('{"a":1}'))),
    );
    expect(new Set(bodies).size).toBe(1);
    expect(t.calls.build).toBe(1);
    expect(t.answers.counts).toMatchObject({ redis: 1, shared: 7 });
  });

  it('compresses a body once per coding and counts the compressed forms in its bytes', async () => {
    const t = setup();
    const text = JSON.stringify(Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [i, i])));
    const body = await t.answers.answer('k', t.build(text));
    expect(body.encoded('gzip')).toBeUndefined();
    const [a, b] = await Promise.all([body.encode('gzip'), body.encode('gzip')]);
    expect(a).toBe(b);
    expect(body.encoded('gzip')).toBe(a);
    expect(body.bytes).toBe(body.plain.length + a.length);
  });

  it('drops bodies idle for BODY_IDLE_MS and bodies of an older generation when it keeps one', async () => {
    const t = setup();
    await t.answers.answer('a', t.build('{}'));
    await t.answers.answer('b', t.build('{}'));
    t.advance(BODY_IDLE_MS - 1000);
    await t.answers.answer('a', t.build('{}')); // revalidated: served again
    t.advance(1000);
    await t.answers.answer('c', t.build('{}'));
    expect(t.answers.size).toBe(2); // "b" was idle
    expect(t.answers.fresh('b')).toBeUndefined();
    t.setGeneration(9);
    t.advance(1000);
    await t.answers.answer('d', t.build('{}'));
    expect(t.answers.size).toBe(1); // "a" and "c" can never be current again
  });
});
