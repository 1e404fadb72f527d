import { loadConfig } from '@reeltime/config';
import { QueryError } from '../api/query-error';
import { ReadDeadline } from './read-deadline';

describe('ReadDeadline', () => {
  const deadline = new ReadDeadline(loadConfig({ QUERY_READ_TIMEOUT_MS: '50' }));

  it('passes an answer that comes in time through, and hands the time limit to the read', async () => {
    const read = jest.fn((ms: number) => Promise.resolve(ms));
    expect(await deadline.run(read)).toBe(50);
  });

  it('rejects with an unavailable QueryError when the read does not answer in time', async () => {
    const started = Date.now();
    const err = (await deadline.run(() => new Promise(() => undefined)).catch((e: unknown) => e)) as QueryError;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err).toBeInstanceOf(QueryError);
    expect(err.code).toBe('unavailable');
    expect(err.message).toBe('Cassandra did not answer within 50 ms, retry shortly');
  });

  it('passes the read error through when it fails first', async () => {
    await expect(deadline.run(() => Promise.reject(new Error('NoHostAvailable')))).rejects.toThrow('NoHostAvailable');
  });
});
