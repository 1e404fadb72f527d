import { retryRetriable } from './retry';

describe('retryRetriable', () => {
  it('retries retriable errors only', async () => {
    let calls = 0;
    const flaky = () =>
      ++calls < 3 ? Promise.reject(Object.assign(new Error('no leader'), { retriable: true })) : Promise.resolve('ok');
    expect(await retryRetriable(flaky, 5, 1)).toBe('ok');
    await expect(retryRetriable(() => Promise.reject(new Error('fatal')), 5, 1)).rejects.toThrow('fatal');
  });
});
