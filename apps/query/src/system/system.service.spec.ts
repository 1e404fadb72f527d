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
