import { backoffMs, bucketOf, fnv1a32, retry, sleep, waitAtMost, withTimeout } from './index';

describe('runtime', () => {
  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 6, 7].map((a) => backoffMs(a, 200, 10_000))).toEqual([400, 800, 1600, 10_000, 10_000]);
  });

  it('retries until success, and not a failure retryIf refuses', async () => {
    let calls = 0;
    const retried: number[] = [];
    const ok = await retry(async () => (++calls < 3 ? Promise.reject(new Error('flaky')) : 'ok'), {
      attempts: 5,
      delayMs: () => 1,
      onRetry: (_err, attempt) => retried.push(attempt),
    });
    expect(ok).toBe('ok');
    expect(retried).toEqual([1, 2]);
    await expect(
      retry(() => Promise.reject(new Error('fatal')), { attempts: 5, delayMs: () => 1, retryIf: () => false }),
    ).rejects.toThrow('fatal');
    await expect(retry(() => Promise.reject(new Error('always')), { attempts: 2, delayMs: () => 1 })).rejects.toThrow(
      'always',
    );
  });

  it('bounds a wait: withTimeout rejects, waitAtMost answers "timeout"', async () => {
    await expect(withTimeout(sleep(50), 5)).rejects.toThrow('no answer within 5 ms');
    expect(await withTimeout(Promise.resolve(7), 50)).toBe(7);
    expect(
      await waitAtMost(
        sleep(50).then(() => 1),
        5,
      ),
    ).toBe('timeout');
    expect(await waitAtMost(Promise.resolve(2), 50)).toBe(2);
    // A rejection after the deadline is not left unhandled.
    expect(
      await waitAtMost(
        sleep(10).then(() => Promise.reject(new Error('late'))),
        1,
      ),
    ).toBe('timeout');
    await sleep(20);
  });

  it('hashes with FNV-1a 32 (the published test vectors), so placements stay put across versions', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(bucketOf('foobar', 10)).toBe(0xbf9cf968 % 10);
  });
});
