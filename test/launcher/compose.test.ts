import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '@reeltime/config';
import { load } from 'js-yaml';
import { SERVICE_NODE_ARGS } from '../../tools/launcher/build';

const ROOT = resolve(__dirname, '..', '..');
const APP_SERVICES = ['consumer', 'query', 'producer'] as const;

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | null>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
}

/**
 * `docker-compose config` renders the file the way `docker compose up` would read it (interpolation,
 * anchors, merge keys) and fails on anything Compose rejects. It runs with an environment that sets
 * none of the settings, so the defaults written in the file are what is checked.
 */
function renderCompose(): Record<string, ComposeService> {
  const run = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  if (run.error && 'code' in run.error && run.error.code === 'ENOENT') {
    throw new Error(
      'docker-compose is not installed, so docker-compose.yml cannot be validated. ' +
        'Install it (Debian: apt-get install -y docker-compose) and run this test again.',
    );
  }
  if (run.status !== 0) throw new Error(`docker-compose config rejected docker-compose.yml:\n${run.stderr}`);
  return (load(run.stdout) as { services: Record<string, ComposeService> }).services;
}

/** Every environment variable name that libs/config reads. */
function knownSettings(): Set<string> {
  const source = readFileSync(resolve(ROOT, 'libs', 'config', 'src', 'app-config.ts'), 'utf8');
  return new Set([...source.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]));
}

describe('docker-compose.yml', () => {
  let services: Record<string, ComposeService>;

  beforeAll(() => {
    services = renderCompose();
  });

  it('has Kafka, Cassandra, the schema job and the three services', () => {
    expect(Object.keys(services).sort()).toEqual(['cassandra', 'consumer', 'kafka', 'producer', 'query', 'schema']);
    expect(services.kafka.image).toBe('apache/kafka:4.1.1');
    expect(services.cassandra.image).toBe('cassandra:5.0');
  });

  it('gives every long-running service a healthcheck; only the one-shot schema job has none', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'schema') {
        expect(service.healthcheck).toBeUndefined();
        expect(service.restart).toBe('no');
      } else {
        const hasHealthcheck = (service.healthcheck?.test?.length ?? 0) > 1;
        expect({ name, hasHealthcheck }).toEqual({ name, hasHealthcheck: true });
      }
    }
  });

  it('starts the schema job on a healthy Cassandra and the services only after it succeeded', () => {
    expect(services.schema.depends_on).toEqual({ cassandra: { condition: 'service_healthy' } });
    for (const name of APP_SERVICES) {
      expect(services[name].depends_on).toEqual({
        kafka: { condition: 'service_healthy' },
        cassandra: { condition: 'service_healthy' },
        schema: { condition: 'service_completed_successfully' },
      });
    }
  });

  it('runs each app from one image, with an entry point that exists in the sources', () => {
    const images = new Set([...APP_SERVICES, 'schema'].map((name) => services[name].image));
    expect(images.size).toBe(1);
    for (const name of [...APP_SERVICES, 'schema']) {
      const command = services[name].command ?? [];
      expect(command[0]).toBe('node');
      const entry = command[command.length - 1];
      const source = entry.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      expect({ name, source, exists: existsSync(resolve(ROOT, source)) }).toEqual({ name, source, exists: true });
    }
    expect(services.query.command).toEqual(['node', 'dist/apps/query/src/main.js']);
    // The consumer's heap cap matches the local launcher's.
    expect(services.consumer.command).toEqual([
      'node',
      ...SERVICE_NODE_ARGS('consumer'),
      'dist/apps/consumer/src/main.js',
    ]);
  });

  it('uses only setting names libs/config knows, and its defaults apart from the container addresses', () => {
    const known = knownSettings();
    const defaults = loadConfig({});
    for (const name of [...APP_SERVICES, 'schema']) {
      const env = Object.fromEntries(
        Object.entries(services[name].environment ?? {}).map(([k, v]) => [k, v === null ? undefined : String(v)]),
      );
      expect(Object.keys(env).filter((key) => !known.has(key))).toEqual([]);
      // loadConfig throws on any value it does not accept.
      const config = loadConfig(env);
      expect(config.kafka.brokers).toEqual(['kafka:9092']);
      expect(config.cassandra.contactPoints).toEqual(['cassandra:9042']);
      expect(config.cassandra.localDataCenter).toBe('datacenter1');
      expect(config.cassandra.keyspace).toBe(defaults.cassandra.keyspace);
      expect(config.kafka.topics).toEqual(defaults.kafka.topics);
      expect(config.kafka.partitions).toBe(defaults.kafka.partitions);
      expect(config.batch).toEqual(defaults.batch);
      expect(config.producer).toEqual(defaults.producer);
      expect(config.ports).toEqual(defaults.ports);
    }
  });

  it('publishes the query service on port 3000 and points the healthchecks at each service’s own port', () => {
    const defaults = loadConfig({});
    for (const name of APP_SERVICES) {
      expect(services[name].healthcheck!.test!.join(' ')).toContain(`127.0.0.1:${defaults.ports[name]}/health`);
    }
    const raw = load(readFileSync(resolve(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { ports?: string[] }>;
    };
    expect(raw.services.query.ports).toContain('3000:3000');
  });
});
