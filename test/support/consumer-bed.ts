import { Env } from '@reeltime/config';
import { KafkaConnection } from '@reeltime/kafka';
import { Client } from 'cassandra-driver';
import { ConfigResourceTypes } from 'kafkajs';
import { TestNamespace, testNamespace } from './namespace';
import { connectKeyspace } from './ratings';

const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/**
 * What every consumer fault test sets up: its own namespace (migrated), a Kafka connection with the
 * ratings topic created, and a driver session for checking the stored rows, opened on first use so a
 * test can open it only after a Cassandra outage is over.
 */
export class ConsumerTestBed {
  readonly ns: TestNamespace;
  kafka!: KafkaConnection;
  private client?: Client;

  constructor(label: string, env: Env) {
    this.ns = testNamespace(label, env);
  }

  /** A bed for a fault or crash test: info logs (the test reads them), 1 s batches, 3 partitions. */
  static withShortBatches(label: string, env: Env = {}): ConsumerTestBed {
    return new ConsumerTestBed(label, { LOG_LEVEL: 'info', BATCH_INTERVAL_MS: '1000', KAFKA_PARTITIONS: '3', ...env });
  }

  async setUp(): Promise<void> {
    await this.ns.migrate();
    this.kafka = new KafkaConnection(this.ns.config);
    await this.kafka.ensureTopics([this.ns.config.kafka.topics.ratings]);
  }

  /**
   * Sets a topic's `max.message.bytes` on the broker (undefined: back to Kafka's default), e.g. to make
   * the broker refuse what a running consumer publishes to it.
   */
  async setMaxMessageBytes(topic: string, bytes: number | undefined): Promise<void> {
    const admin = await this.kafka.admin();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [{ name: 'max.message.bytes', value: String(bytes ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES) }],
        },
      ],
    });
  }

  async cql(): Promise<Client> {
    this.client ??= await connectKeyspace(this.ns.config);
    return this.client;
  }

  async tearDown(): Promise<void> {
    await this.kafka?.onApplicationShutdown();
    await this.client?.shutdown();
    await this.ns.drop();
  }
}
