import { Env } from '@reeltime/config';
import { KafkaConnection } from '@reeltime/kafka';
import { Client } from 'cassandra-driver';
import { TestNamespace, testNamespace } from './namespace';
import { connectKeyspace } from './ratings';

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

  async setUp(): Promise<void> {
    await this.ns.migrate();
    this.kafka = new KafkaConnection(this.ns.config);
    await this.kafka.ensureTopics([this.ns.config.kafka.topics.ratings]);
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
