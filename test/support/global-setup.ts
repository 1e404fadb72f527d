// jest loads global setup/teardown outside its module mapper, hence the relative import.
import { CassandraServer, KafkaServer, LocalInfra } from '../../tools/infra';

/**
 * Starts the real Kafka and Cassandra (fetched from Maven Central on first use) unless they already
 * answer, e.g. after `npm run infra:up`. Whatever this starts, global-teardown stops.
 */
export default async function globalSetup(): Promise<void> {
  const infra = new LocalInfra();
  const [kafka, cassandra] = await Promise.all([
    KafkaServer.answers(infra.kafka.bootstrap),
    CassandraServer.answers(infra.cassandra.contactPoint),
  ]);
  if (kafka && cassandra) return;
  process.stderr.write('\n[test] starting the local Kafka and Cassandra for the integration tests\n');
  await infra.up();
  (globalThis as { __reeltimeStartedInfra?: boolean }).__reeltimeStartedInfra = true;
}
