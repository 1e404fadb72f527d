import { mkdirSync, rmSync } from 'node:fs';
import { CassandraServer } from './cassandra-server';
import { KafkaServer } from './kafka-server';
import { say } from './log';
import { InfraSettings, infraSettings } from './settings';
import { findJava17 } from './toolchain';

export { InfraError } from './toolchain';
export { KafkaServer } from './kafka-server';
export { CassandraServer } from './cassandra-server';

/**
 * The real Apache Kafka and Apache Cassandra as background JVMs on loopback: used by `npm run infra:*`,
 * by `npm start`, and by jest's global setup and fault-injection tests.
 */
export class LocalInfra {
  readonly kafka: KafkaServer;
  readonly cassandra: CassandraServer;

  constructor(readonly settings: InfraSettings = infraSettings()) {
    const java = findJava17();
    this.kafka = new KafkaServer(settings, java);
    this.cassandra = new CassandraServer(settings, java);
  }

  async fetch(): Promise<void> {
    // The two resolutions are independent; running them side by side roughly halves a cold fetch.
    await Promise.all([this.kafka.fetch(), this.cassandra.fetch()]);
  }

  async up(): Promise<void> {
    mkdirSync(this.settings.stateDir, { recursive: true });
    await this.fetch();
    // Both JVMs start together: their boot times overlap instead of adding up.
    await Promise.all([this.kafka.start(), this.cassandra.start()]);
  }

  async down(): Promise<void> {
    const [k, c] = await Promise.all([this.kafka.process.stop(), this.cassandra.process.stop()]);
    say('infra', `kafka ${k ? 'stopped' : 'was not running'}, cassandra ${c ? 'stopped' : 'was not running'}`);
  }

  async status(): Promise<{ kafka: string; cassandra: string }> {
    const [kafka, cassandra] = await Promise.all([this.kafka.status(), this.cassandra.status()]);
    return { kafka, cassandra };
  }

  /** Stops everything and deletes all data (and, with `cache`, the fetched jars). */
  async reset(cache = false): Promise<void> {
    await this.down();
    rmSync(this.settings.stateDir, { recursive: true, force: true });
    if (cache) rmSync(this.settings.cacheDir, { recursive: true, force: true });
    say('infra', `removed ${this.settings.stateDir}${cache ? ` and ${this.settings.cacheDir}` : ''}`);
  }
}
