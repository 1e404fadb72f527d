import { pollUntil } from './poll';

describe('pollUntil', () => {
  it('asks until the answer is yes and says so', async () => {
    let asked = 0;
    expect(await pollUntil(() => ++asked === 3, { timeoutMs: 1000, everyMs: 1 })).toBe(true);
    expect(asked).toBe(3);
  });

  it('gives up with false once the time is over', async () => {
    const started = Date.now();
    expect(await pollUntil(() => false, { timeoutMs: 50, everyMs: 5 })).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  it('ends at once on an error from the question, which it passes on', async () => {
    let asked = 0;
    const failing = (): boolean => {
      asked += 1;
      throw new Error('exited during start-up');
    };
    await expect(pollUntil(failing, { timeoutMs: 1000, everyMs: 1 })).rejects.toThrow('exited during start-up');
    expect(asked).toBe(1);
  });

  it('reports progress at most once per progress interval while it waits', async () => {
    let reports = 0;
    const progress = { everyMs: 20, report: () => void (reports += 1) };
    await pollUntil(() => false, { timeoutMs: 70, everyMs: 2, progress });
    expect(reports).toBeGreaterThanOrEqual(2);
    expect(reports).toBeLessThanOrEqual(4);
  });
});
