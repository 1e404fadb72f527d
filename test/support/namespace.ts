import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { AppConfig, Env, loadConfig } from '@reeltime/config';
import { dropKeyspace, migrate } from '@reeltime/cassandra';

export const CQL_DIR = resolve(__dirname, '..', '..', 'cql');

let nextPort = 3100 + Math.floor(Math.random() * 800);

/**
 * Settings for one test file: its own keyspace, topics, consumer group and ports, so tests never see
 * each other's data. `env` is what a test passes to bootstrap() or to a service process.
 */
export interface TestNamespace {
  id: string;
  env: Env;
  config: AppConfig;
  /** Creates the keyspace and tables (the real migrations). */
  migrate(): Promise<void>;
  /** Drops the keyspace. */
  drop(): Promise<void>;
}

export function testNamespace(label: string, extra: Env = {}): TestNamespace {
  const id = `${label.replace(/[^a-z0-9]/g, '').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const env: Env = {
    LOG_LEVEL: 'warn',
    CASSANDRA_KEYSPACE: `t_${id}`,
    KAFKA_TOPIC_RATINGS: `t.${id}.ratings`,
    KAFKA_TOPIC_DLQ: `t.${id}.ratings.dlq`,
    KAFKA_TOPIC_STATS: `t.${id}.user-hour-stats`,
    KAFKA_CONSUMER_GROUP: `t.${id}.consumer`,
    KAFKA_QUERY_GROUP_PREFIX: `t.${id}.query`,
    QUERY_PORT: String(nextPort++),
    PRODUCER_PORT: String(nextPort++),
    CONSUMER_PORT: String(nextPort++),
    ...extra,
  };
  const config = loadConfig({ ...process.env, ...env });
  return {
    id,
    env,
    config,
    migrate: async () => {
      await migrate(config.cassandra, CQL_DIR);
    },
    drop: () => dropKeyspace(config.cassandra),
  };
}
