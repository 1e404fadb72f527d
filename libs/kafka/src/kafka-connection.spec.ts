import { AppConfig, configFromEnvironment } from '@reeltime/config';
import { Admin } from 'kafkajs';
import { KafkaConnection } from './kafka-connection';

/** An admin whose createTopics fails, and whose topic list shows the topics only from the given call on. */
function fakeAdmin(listedFromCall: number): { admin: Admin; calls: () => number } {
  let calls = 0;
  const admin = {
    listTopics: () => Promise.resolve(++calls >= listedFromCall ? ['ratings'] : []),
    createTopics: () => Promise.reject(new Error('This server does not host this topic-partition')),
    fetchTopicMetadata: () =>
      Promise.resolve({ topics: [{ name: 'ratings', partitions: [{ partitionId: 0, leader: 1 }] }] }),
  } as unknown as Admin;
  return { admin, calls: () => calls };
}

describe('KafkaConnection.ensureTopics', () => {
  const config: AppConfig = configFromEnvironment({});

  it('waits for a created topic that the broker lists only a moment after createTopics failed', async () => {
    const connection = new KafkaConnection(config);
    // Missing at first, still missing right after the failed create, listed on the fourth look.
    const { admin, calls } = fakeAdmin(4);
    jest.spyOn(connection, 'admin').mockResolvedValue(admin);
    await expect(connection.ensureTopics(['ratings'])).resolves.toBeUndefined();
    expect(calls()).toBe(4);
  });

  it('rethrows the create error when the topic stays missing', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      const connection = new KafkaConnection(config);
      const { admin } = fakeAdmin(Infinity);
      jest.spyOn(connection, 'admin').mockResolvedValue(admin);
      const result = connection.ensureTopics(['ratings']);
      const settled = expect(result).rejects.toThrow('does not host this topic-partition');
      await jest.advanceTimersByTimeAsync(11_000);
      await settled;
    } finally {
      jest.useRealTimers();
    }
  });
});
