import { AnswerCache, MISS_SHARE, answerBytes, cacheGroups } from './answer-cache';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('AnswerCache', () => {
  it('serves a second request from memory', async () => {
    const cache = new AnswerCache(10);
    cache.enable();
    const load = jest.fn(() => Promise.resolve(1));
    expect(await cache.get('k', 'g', load)).toBe(1);
    expect(await cache.get('k', 'g', load)).toBe(1);
    expect(load).toHaveBeenCalledTimes(1);
    expect(cache.hits).toBe(1);
  });

  it('stores nothing until enabled', async () => {
    const cache = new AnswerCache(10);
    const load = jest.fn(() => Promise.resolve(1));
    await cache.get('k', 'g', load);
    await cache.get('k', 'g', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('drops every answer of an invalidated group and keeps the others', async () => {
    const cache = new AnswerCache(10);
    cache.enable();
    await cache.get('a1', 'A', () => Promise.resolve('a1'));
    await cache.get('a2', 'A', () => Promise.resolve('a2'));
    await cache.get('b1', 'B', () => Promise.resolve('b1'));
    expect(cache.invalidate(['A'])).toBe(2);
    expect(await cache.get('a1', 'A', () => Promise.resolve('fresh'))).toBe('fresh');
    expect(await cache.get('b1', 'B', () => Promise.resolve('fresh'))).toBe('b1');
  });

  it('does not store an answer whose group was invalidated while it was being read', async () => {
    const cache = new AnswerCache(10);
    cache.enable();
    const slow = deferred<string>();
    const first = cache.get('k', 'g', () => slow.promise);
    cache.invalidate(['g']);
    slow.resolve('old');
    expect(await first).toBe('old');
    expect(await cache.get('k', 'g', () => Promise.resolve('new'))).toBe('new');
  });

  it('shares one load among concurrent requests for the same key', async () => {
    const cache = new AnswerCache(10);
    cache.enable();
    const slow = deferred<number>();
    const load = jest.fn(() => slow.promise);
    const both = Promise.all([cache.get('k', 'g', load), cache.get('k', 'g', load)]);
    slow.resolve(7);
    expect(await both).toEqual([7, 7]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('is bounded: the least recently used answer is evicted', async () => {
    const cache = new AnswerCache(2);
    cache.enable();
    for (const k of ['a', 'b', 'c']) await cache.get(k, k, () => Promise.resolve(k));
    expect(cache.size).toBe(2);
    expect(await cache.get('a', 'a', () => Promise.resolve('reloaded'))).toBe('reloaded');
  });

  it('reads an answer again once it is older than the TTL, though no stats message dropped it', async () => {
    let now = 1_000_000;
    const cache = new AnswerCache(10, { ttlMs: 90_000, clock: { now: () => now } });
    cache.enable();
    let stored = 'first';
    const load = jest.fn(() => Promise.resolve(stored));
    expect(await cache.get('k', 'g', load)).toBe('first');
    stored = 'second';
    now += 90_000;
    expect(await cache.get('k', 'g', load)).toBe('first');
    expect(cache.peek('k')).toBe('first');
    now += 1;
    expect(cache.peek('k')).toBeUndefined();
    expect(await cache.get('k', 'g', load)).toBe('second');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('counts the age of an answer from the start of the read that produced it', async () => {
    let now = 5000;
    const cache = new AnswerCache(10, { ttlMs: 1000, clock: { now: () => now } });
    cache.enable();
    const slow = deferred<string>();
    const first = cache.get('k', 'g', () => slow.promise);
    now = 5600; // the read takes 600 ms
    slow.resolve('read at 5000');
    await first;
    now = 6000;
    expect(cache.peek('k')).toBe('read at 5000');
    now = 6001;
    expect(cache.peek('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps answers without a TTL until a message drops them', async () => {
    let now = 5000;
    const cache = new AnswerCache(10, { clock: { now: () => now } });
    cache.enable();
    await cache.get('k', 'g', () => Promise.resolve(1));
    now = 365 * 24 * 3_600_000;
    expect(cache.peek('k')).toBe(1);
  });

  it('is bounded by bytes: large answers evict the least recently used until they fit', async () => {
    const cache = new AnswerCache(1000, { maxBytes: 100_000 });
    cache.enable();
    const big = 'x'.repeat(10_000); // about 20 kB each
    for (let i = 0; i < 20; i += 1) await cache.get(`k${i}`, 'g', () => Promise.resolve(`${big}${i}`));
    expect(cache.bytes).toBeLessThanOrEqual(100_000);
    expect(cache.bytes).toBeGreaterThan(100_000 - answerBytes('k19', `${big}19`));
    expect(cache.size).toBe(4);
    expect(cache.peek('k19')).toBe(`${big}19`);
    expect(cache.peek('k0')).toBeUndefined();
  });

  it('does not store an answer larger than the whole bound', async () => {
    const cache = new AnswerCache(1000, { maxBytes: 1000 });
    cache.enable();
    await cache.get('small', 'g', () => Promise.resolve('s'));
    await cache.get('huge', 'g', () => Promise.resolve('y'.repeat(1000)));
    expect(cache.peek('huge')).toBeUndefined();
    expect(cache.peek('small')).toBe('s');
    expect(cache.invalidate(['g'])).toBe(1);
  });

  it('keeps misses apart, briefly, and within their own share of the bytes', async () => {
    let now = 1_000_000; // lru-cache takes a start time of 0 for none
    const cache = new AnswerCache(10_000, {
      ttlMs: 90_000,
      missTtlMs: 5000,
      maxBytes: 80_000,
      clock: { now: () => now },
    });
    cache.enable();
    const isMiss = (v: { count: number }) => v.count === 0;
    await cache.get('found', 'g', () => Promise.resolve({ count: 3 }), isMiss);
    // Many misses (names nobody rated under) cannot push the found answer out.
    for (let i = 0; i < 1000; i += 1)
      await cache.get(`nobody-${i}`, `n${i}`, () => Promise.resolve({ count: 0 }), isMiss);
    expect(cache.peek('found')).toEqual({ count: 3 });
    expect(cache.bytes - answerBytes('found', { count: 3 })).toBeLessThanOrEqual(80_000 * MISS_SHARE);
    expect(cache.peek('nobody-999')).toEqual({ count: 0 });
    now += 5001;
    expect(cache.peek('nobody-999')).toBeUndefined();
    expect(cache.peek('found')).toEqual({ count: 3 });
  });

  it('drops a cached miss with its group, and stores a found answer in place of a miss', async () => {
    const cache = new AnswerCache(100, { missTtlMs: 5000, maxBytes: 1_000_000 });
    cache.enable();
    const isMiss = (v: number) => v === 0;
    await cache.get('k', 'g', () => Promise.resolve(0), isMiss);
    expect(cache.invalidate(['g'])).toBe(1);
    expect(await cache.get('k', 'g', () => Promise.resolve(2), isMiss)).toBe(2);
    expect(cache.size).toBe(1);
    expect(cache.peek('k')).toBe(2);
  });

  it('names the groups a stats message for one user and hour touches', () => {
    const hour = Date.parse('2026-11-21T10:00:00Z');
    expect(cacheGroups.touchedBy('Alice', hour)).toEqual([
      cacheGroups.userHour('Alice', hour),
      cacheGroups.userRanges('Alice'),
      cacheGroups.hourUsers(hour),
    ]);
  });
});
