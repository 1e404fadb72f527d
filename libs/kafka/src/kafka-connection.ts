import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import {
  Admin,
  ConfigResourceTypes,
  Consumer,
  ConsumerConfig,
  ITopicConfig,
  Kafka,
  Partitioners,
  Producer,
  ProducerConfig,
  SASLOptions,
  logLevel,
} from 'kafkajs';
import { kafkaLogCreator } from './kafka-logger';

export type { Consumer, ConsumerRunConfig, Producer, Admin, EachBatchPayload, KafkaMessage, IHeaders } from 'kafkajs';

export interface PartitionLag {
  partition: number;
  committed: number;
  end: number;
  lag: number;
}

/**
 * Asks `probe` every 200 ms until it says yes or `timeoutMs` has passed. A probe that throws counts as
 * "not yet"; on timeout the error of the last probe is returned if it threw.
 */
async function pollUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<{ ok: boolean; error?: Error }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let error: Error | undefined;
    try {
      if (await probe()) return { ok: true };
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
    }
    if (Date.now() > deadline) return { ok: false, error };
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The one place that knows which Kafka client library is used (kafkajs today; its API is what
 * @confluentinc/kafka-javascript's KafkaJS mode also offers). Everything else asks this adapter for
 * producers, consumers and admin operations, and it disconnects whatever it handed out on shutdown.
 */
@Injectable()
export class KafkaConnection implements OnApplicationShutdown {
  private readonly logger = new Logger(KafkaConnection.name);
  private readonly kafka: Kafka;
  private readonly owned = new Set<{ disconnect(): Promise<void> }>();
  private sharedAdmin?: Admin;

  constructor(private readonly config: AppConfig) {
    const { brokers, clientId, ssl, sasl } = config.kafka;
    this.kafka = new Kafka({
      clientId,
      brokers,
      ssl,
      sasl: sasl as SASLOptions | undefined,
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(),
      retry: { initialRetryTime: 300, retries: 10, maxRetryTime: 10_000 },
    });
  }

  createProducer(options: ProducerConfig = {}): Producer {
    // The Java client's murmur2 partitioner, so any client puts a user's events in the same partition.
    const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...options });
    this.owned.add(producer);
    return producer;
  }

  createConsumer(options: ConsumerConfig): Consumer {
    const consumer = this.kafka.consumer(options);
    this.owned.add(consumer);
    return consumer;
  }

  async admin(): Promise<Admin> {
    if (!this.sharedAdmin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.owned.add(admin);
      this.sharedAdmin = admin;
    }
    return this.sharedAdmin;
  }

  /**
   * Creates the topics that do not exist yet, with KAFKA_PARTITIONS partitions (existing ones are left
   * as they are), and returns once every partition of every topic has a leader.
   */
  async ensureTopics(topics: string[], extra: Partial<ITopicConfig> = {}): Promise<void> {
    const admin = await this.admin();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      const { partitions, replicationFactor } = this.config.kafka;
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor, ...extra })),
        });
        this.logger.log({ msg: 'created topics', topics: missing, partitions, replicationFactor });
      } catch (err) {
        // Another service may create the same topic at the same moment, and a broker that has just
        // started may fail kafkajs's own leader wait ("does not host this topic-partition") and list
        // the new topic a moment later. Only a topic that stays missing is an error.
        if (!(await this.listed(admin, missing))) throw err;
      }
    }
    // A topic another service has just created is listed before its partitions have leaders, and a
    // consumer subscribing then fails with "This server does not host this topic-partition".
    await this.waitForLeaders(admin, topics);
  }

  /** Whether every topic is listed within `timeoutMs`. */
  private async listed(admin: Admin, topics: string[], timeoutMs = 10_000): Promise<boolean> {
    const result = await pollUntil(async () => {
      const now = new Set(await admin.listTopics());
      return topics.every((t) => now.has(t));
    }, timeoutMs);
    return result.ok;
  }

  private async waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
    const result = await pollUntil(async () => {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      return meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
    }, timeoutMs);
    if (!result.ok) throw result.error ?? new Error(`topics ${topics.join(', ')} have no leader after ${timeoutMs} ms`);
  }

  /** Committed offset, end offset and lag per partition of a topic for a consumer group. */
  async lag(groupId: string, topic: string): Promise<PartitionLag[]> {
    const admin = await this.admin();
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const byPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)] as const));
    return ends
      .map((e) => {
        const end = Number(e.high);
        const low = Number(e.low);
        const c = byPartition.get(e.partition) ?? -1;
        const from = c < 0 ? low : c;
        return { partition: e.partition, committed: c, end, lag: Math.max(0, end - from) };
      })
      .sort((a, b) => a.partition - b.partition);
  }

  /** How many members a consumer group has now (0: empty, dead or unknown to the broker). */
  async groupMembers(groupId: string): Promise<number> {
    const admin = await this.admin();
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]?.members.length ?? 0;
  }

  /**
   * What a publisher needs to know of a topic: the largest record batch the broker accepts for it
   * (`max.message.bytes`, the topic's own value or the broker's default), so sends can be split under
   * it, and its partition count.
   */
  async topicShape(topic: string): Promise<{ maxMessageBytes: number; partitions: number }> {
    const admin = await this.admin();
    const [{ resources }, { topics }] = await Promise.all([
      admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
      }),
      admin.fetchTopicMetadata({ topics: [topic] }),
    ]);
    const maxMessageBytes = Number(
      resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue,
    );
    const partitions = topics[0]?.partitions.length ?? 0;
    if (!Number.isInteger(maxMessageBytes) || maxMessageBytes <= 0 || partitions <= 0) {
      throw new Error(`topic ${topic}: no max.message.bytes or no partitions`);
    }
    return { maxMessageBytes, partitions };
  }

  /** A cheap round trip that proves the cluster answers (used by /health). */
  async ping(): Promise<number> {
    const admin = await this.admin();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length;
  }

  /**
   * Disconnects a consumer whose group belongs to this process alone (a query instance's own group)
   * and deletes the group, so no empty group is left behind on the cluster.
   */
  async closeOwnGroup(consumer: Consumer, groupId: string): Promise<void> {
    await consumer.disconnect();
    const admin = await this.admin();
    await admin
      .deleteGroups([groupId])
      .catch((err: unknown) =>
        this.logger.warn({ msg: 'could not delete a consumer group', groupId, err: String(err) }),
      );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [...this.owned].map((c) =>
        c.disconnect().catch((err: unknown) => this.logger.warn({ msg: 'disconnect failed', err: String(err) })),
      ),
    );
    this.owned.clear();
    this.sharedAdmin = undefined;
  }
}
