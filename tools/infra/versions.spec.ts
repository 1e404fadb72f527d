import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { CASSANDRA_IMAGE, KAFKA_IMAGE } from './versions';

const compose = load(readFileSync(join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { image?: string }>;
};

describe('versions', () => {
  it('are the ones docker-compose.yml runs, so the compose stack and npm start run the same servers', () => {
    expect(compose.services.kafka.image).toBe(KAFKA_IMAGE);
    expect(compose.services.cassandra.image).toBe(CASSANDRA_IMAGE);
  });

  it('leave no other Kafka or Cassandra image in docker-compose.yml', () => {
    const images = Object.values(compose.services).map((s) => s.image ?? '');
    const pinned = images.filter((image) => /^(apache\/kafka|cassandra):/.test(image));
    expect(pinned.sort()).toEqual([CASSANDRA_IMAGE, KAFKA_IMAGE].sort());
  });
});
