// jest loads global setup/teardown outside its module mapper, hence the relative import.
import { LocalInfra } from '../../tools/infra';

export default async function globalTeardown(): Promise<void> {
  if ((globalThis as { __reeltimeStartedInfra?: boolean }).__reeltimeStartedInfra) {
    process.stderr.write('[test] stopping the Kafka and Cassandra the tests started\n');
    await new LocalInfra().down();
  }
}
