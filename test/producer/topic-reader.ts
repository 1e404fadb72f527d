import { KafkaConnection } from '@reeltime/kafka';
import { waitFor } from '../support/app';

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
}

/** How many records a topic holds (sum over partitions of high − low watermark). */
export async function topicSize(kafka: KafkaConnection, topic: string): Promise<number> {
  const admin = await kafka.admin();
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

/**
 * Reads a whole topic from the beginning with a throw-away group: every record, as written. A caller
 * that knows how many records the topic holds passes `count`; otherwise the watermarks tell, which the
 * admin client can read from stale metadata just after another process created the topic.
 */
export async function readTopic(
  kafka: KafkaConnection,
  topic: string,
  groupId: string,
  count?: number,
): Promise<ReadMessage[]> {
  const expected = count ?? (await topicSize(kafka, topic));
  const consumer = kafka.createConsumer({ groupId });
  const got: ReadMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: ({ batch }) => {
      for (const m of batch.messages) {
        got.push({
          partition: batch.partition,
          offset: m.offset,
          key: m.key?.toString('utf8') ?? null,
          value: m.value,
        });
      }
      return Promise.resolve();
    },
  });
  try {
    await waitFor(`${expected} records of ${topic}`, () => Promise.resolve(got.length >= expected), 120_000, 100);
  } finally {
    await consumer.disconnect();
  }
  return got;
}

/**
 * Kafka's default partitioner (Java client, Utils.murmur2): partition = toPositive(murmur2(key)) % n.
 * Written out here so the test checks the producer against the rule itself, not against the same library.
 */
export function javaPartition(key: string, partitions: number): number {
  const data = Buffer.from(key, 'utf8');
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length - (length % 4);
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length % 4;
  if (rest === 3) h ^= data[whole + 2] << 16;
  if (rest >= 2) h ^= data[whole + 1] << 8;
  if (rest >= 1) h = Math.imul(h ^ data[whole], m);
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return (h & 0x7fffffff) % partitions;
}
