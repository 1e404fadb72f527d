import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { CASSANDRA_VERSION, KAFKA_VERSION, LOG4J_VERSION } from './versions';

/**
 * Where the local infrastructure lives and which versions it runs (pinned in versions.ts). The launcher is a developer tool
 * that runs before any service, so it reads its few settings here rather than through the services'
 * config lib; every value has a default that matches DESIGN.md's settings.
 */
export interface InfraSettings {
  /** Maven-resolved jars, shared by every checkout on the machine (fetched once). */
  cacheDir: string;
  /** Per-checkout data, configs, logs and PID files. */
  stateDir: string;
  kafkaVersion: string;
  log4jVersion: string;
  cassandraVersion: string;
  kafkaPort: number;
  kafkaControllerPort: number;
  cassandraPort: number;
  cassandraStoragePort: number;
  cassandraJmxPort: number;
  kafkaHeap: string;
  cassandraHeap: string;
  startTimeoutMs: number;
}

const repoRoot = resolve(__dirname, '..', '..');

function num(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > 65535) {
    throw new Error(`${name} must be a port number (1-65535), got "${raw}"`);
  }
  return value;
}

export function infraSettings(env: NodeJS.ProcessEnv = process.env): InfraSettings {
  const cacheBase = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return {
    cacheDir: resolve(env.REELTIME_CACHE_DIR || join(cacheBase, 'reeltime')),
    stateDir: resolve(env.REELTIME_INFRA_DIR || join(repoRoot, '.infra')),
    kafkaVersion: KAFKA_VERSION,
    log4jVersion: LOG4J_VERSION,
    cassandraVersion: CASSANDRA_VERSION,
    kafkaPort: num(env, 'INFRA_KAFKA_PORT', 9092),
    kafkaControllerPort: num(env, 'INFRA_KAFKA_CONTROLLER_PORT', 9093),
    cassandraPort: num(env, 'INFRA_CASSANDRA_PORT', 9042),
    cassandraStoragePort: num(env, 'INFRA_CASSANDRA_STORAGE_PORT', 7000),
    cassandraJmxPort: num(env, 'INFRA_CASSANDRA_JMX_PORT', 7199),
    kafkaHeap: env.INFRA_KAFKA_HEAP || '512m',
    cassandraHeap: env.INFRA_CASSANDRA_HEAP || '1G',
    startTimeoutMs: 180_000,
  };
}
