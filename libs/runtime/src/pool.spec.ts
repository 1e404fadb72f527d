import { mapLimit } from './pool';

describe('mapLimit', () => {
  it('runs at most `limit` calls at once and keeps the order of results', async () => {
    let running = 0;
    let most = 0;
    const results = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, n));
      running -= 1;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it('starts no further call after a failure', async () => {
    const started: number[] = [];
    const items = Array.from({ length: 20 }, (_, i) => i);
    await expect(
      mapLimit(items, 3, async (i) => {
        started.push(i);
        await new Promise((r) => setTimeout(r, 5));
        if (i === 1) throw new Error('write timeout');
      }),
    ).rejects.toThrow('write timeout');
    await new Promise((r) => setTimeout(r, 50));
    // The three first calls were in flight when item 1 failed; at most the ones the other two workers
    // had already picked up may have started too.
    expect(started.length).toBeLessThanOrEqual(5);
  });
});
