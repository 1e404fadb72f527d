import { StartRetrier, retryRetriable } from './retry';

describe('retryRetriable', () => {
  it('retries retriable errors only', async () => {
    let calls = 0;
    const flaky = () =>
      ++calls < 3 ? Promise.reject(Object.assign(new Error('no leader'), { retriable: true })) : Promise.resolve('ok');
    expect(await retryRetriable(flaky, 5, 1)).toBe('ok');
    await expect(retryRetriable(() => Promise.reject(new Error('fatal')), 5, 1)).rejects.toThrow('fatal');
  });
});

describe('StartRetrier', () => {
  it('keeps starting until it succeeds, reporting each failure', async () => {
    const failures: number[] = [];
    const retrier = new StartRetrier((_err, attempt) => failures.push(attempt), 1);
    let calls = 0;
    const ok = await retrier.run(() => (++calls < 3 ? Promise.reject(new Error('down')) : Promise.resolve()));
    expect(ok).toBe(true);
    expect(failures).toEqual([1, 2]);
  });

  it('stops waiting as soon as it is stopped', async () => {
    const retrier = new StartRetrier(() => undefined, 60_000);
    const running = retrier.run(() => Promise.reject(new Error('down')));
    await new Promise((r) => setTimeout(r, 10));
    retrier.stop();
    expect(await running).toBe(false);
  });
});
