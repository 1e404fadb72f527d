import { loadConfig } from '@reeltime/config';
import { KafkaConnection, PartitionLag } from '@reeltime/kafka';
import { AnswerCache } from '../cache/answer-cache';
import { RatingsFeed } from '../feed/ratings-feed';
import { InstanceId } from '../platform/instance-id';
import { LAG_WAIT_MS, SystemService } from './system.service';
import { Clock } from '@reeltime/runtime';

function service(lag: () => Promise<PartitionLag[]>): SystemService {
  const kafka = { lag } as unknown as KafkaConnection;
  const feed = { ratingsPerSecond: () => 0 } as unknown as RatingsFeed;
  const clock: Clock = { now: () => Date.now() };
  const instance: InstanceId = { value: 'test' };
  return new SystemService(kafka, loadConfig({}), feed, new AnswerCache(10), clock, instance);
}

const partition = (lag: number): PartitionLag => ({ partition: 0, committed: 0, end: lag, lag });

describe('SystemService', () => {
  it('reports the consumer lag Kafka gives', async () => {
    expect((await service(() => Promise.resolve([partition(3), partition(4)])).status()).consumerLag).toBe(7);
  });

  it('answers with an unknown lag instead of waiting while Kafka does not answer, with one read at a time', async () => {
    const lag = jest.fn(() => new Promise<PartitionLag[]>(() => undefined));
    const system = service(lag);
    const started = Date.now();
    const statuses = await Promise.all([system.status(), system.status(), system.status()]);
    expect(Date.now() - started).toBeLessThan(LAG_WAIT_MS + 500);
    expect(statuses.map((s) => s.consumerLag)).toEqual([null, null, null]);
    await system.status();
    expect(lag).toHaveBeenCalledTimes(1);
  });
});

describe('SystemService written rate', () => {
  it('averages what the group committed over the last minute, so 30 s batches do not read as 0 between commits', async () => {
    let now = 0;
    let committed = 0;
    const kafka = {
      lag: () => Promise.resolve([{ partition: 0, committed, end: committed, lag: 0 }]),
    } as unknown as KafkaConnection;
    const feed = { ratingsPerSecond: () => 0 } as unknown as RatingsFeed;
    const system = new SystemService(
      kafka,
      loadConfig({}),
      feed,
      new AnswerCache(10),
      { now: () => now },
      {
        value: 'test',
      },
    );
    const seen: Array<number | null> = [];
    // 20 ratings/s, committed in one go every 30 s; the status is asked every 2 s.
    for (now = 0; now <= 120_000; now += 2000) {
      committed = 600 * Math.floor(now / 30_000);
      await system.lagDetail();
      seen.push((await system.lagDetail()).written);
    }
    expect(seen[0]).toBeNull(); // one read: no rate yet
    expect(seen.slice(-15).every((w) => w !== null && w >= 15 && w <= 25)).toBe(true);
    expect(seen[seen.length - 1]).toBe(20); // 60 s from t=60 s to t=120 s: 1,200 ratings
  });
});
