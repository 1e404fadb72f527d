import { INestApplication } from '@nestjs/common';
import { KafkaConnection, KafkaModule } from '@reeltime/kafka';
import { bootModule, waitFor } from '../support/app';
import { testNamespace } from '../support/namespace';

describe('kafka lib against the real broker', () => {
  const ns = testNamespace('kafka', { KAFKA_PARTITIONS: '3' });
  let app: INestApplication;
  let kafka: KafkaConnection;

  beforeAll(async () => {
    app = await bootModule([KafkaModule], ns.env);
    kafka = app.get(KafkaConnection);
  });
  afterAll(() => app.close());

  it('creates topics with KAFKA_PARTITIONS partitions, and a second call is a no-op', async () => {
    const topic = ns.config.kafka.topics.ratings;
    await kafka.ensureTopics([topic]);
    await kafka.ensureTopics([topic]);
    const admin = await kafka.admin();
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0].partitions).toHaveLength(3);
  });

  it('round-trips keyed messages: same key, same partition, in order', async () => {
    const topic = ns.config.kafka.topics.stats;
    await kafka.ensureTopics([topic]);
    const producer = kafka.createProducer({ idempotent: true });
    await producer.connect();
    const sent = Array.from({ length: 20 }, (_, i) => ({ key: i % 2 ? 'alice' : 'bob', value: `m${i}` }));
    await producer.send({ topic, acks: -1, messages: sent });

    const consumer = kafka.createConsumer({ groupId: `${ns.id}.roundtrip` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: Array<{ key: string; value: string; partition: number }> = [];
    await consumer.run({
      eachMessage: ({ message, partition }) => {
        got.push({ key: String(message.key), value: String(message.value), partition });
        return Promise.resolve();
      },
    });
    await waitFor('20 messages', () => Promise.resolve(got.length >= 20));
    await consumer.disconnect();

    expect(got.map((m) => m.value).sort()).toEqual(sent.map((m) => m.value).sort());
    for (const key of ['alice', 'bob']) {
      const mine = got.filter((m) => m.key === key);
      expect(new Set(mine.map((m) => m.partition)).size).toBe(1);
      expect(mine.map((m) => m.value)).toEqual(sent.filter((m) => m.key === key).map((m) => m.value));
    }
  });

  it('reports lag per partition for a group', async () => {
    const topic = ns.config.kafka.topics.dlq;
    await kafka.ensureTopics([topic]);
    const producer = kafka.createProducer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'k', value: 'a' },
        { key: 'k', value: 'b' },
      ],
    });
    const lag = await kafka.lag(`${ns.id}.nobody`, topic);
    expect(lag).toHaveLength(3);
    expect(lag.reduce((s, p) => s + p.lag, 0)).toBe(2);
  });
});
