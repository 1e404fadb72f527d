import { AnswerCache, cacheGroups } from './answer-cache';

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

  it('names the groups a stats message for one user and hour touches', () => {
    const hour = Date.parse('2026-11-21T10:00:00Z');
    expect(cacheGroups.touchedBy('Alice', hour)).toEqual([
      cacheGroups.userHour('Alice', hour),
      cacheGroups.userRanges('Alice'),
      cacheGroups.hourUsers(hour),
    ]);
  });
});
