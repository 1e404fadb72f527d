import { KafkaConnection } from '@reeltime/kafka';
import { Client } from 'cassandra-driver';
import { LocalInfra } from '../../tools/infra';
import { waitFor } from '../support/app';
import { testNamespace } from '../support/namespace';
import { Feeder, connectKeyspace, generateRatings, waitForExact } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';

/** The broker restarts under a running consumer: redelivery at most, never loss, stats exact. */
describe('Kafka restart during ingestion', () => {
  const ns = testNamespace('kafkarestart', { LOG_LEVEL: 'info', BATCH_INTERVAL_MS: '1000', BATCH_MAX_RECORDS: '2000' });
  const events = generateRatings({ users: 40, count: 8_000, seed: 41, lateFraction: 0.1 });
  const infra = new LocalInfra();
  let kafka: KafkaConnection;
  let cql: Client;

  beforeAll(async () => {
    await ns.migrate();
    kafka = new KafkaConnection(ns.config);
    await kafka.ensureTopics([ns.config.kafka.topics.ratings]);
    cql = await connectKeyspace(ns.config);
  });
  afterAll(async () => {
    await infra.kafka.start(); // leave the broker running for the next tests whatever happened
    await kafka.onApplicationShutdown();
    await cql.shutdown();
    await ns.drop();
  });

  it('resumes on its own after the broker comes back and ends exact', async () => {
    const consumer = new ServiceProcess('consumer', ns.env);
    await consumer.start();
    const pid = consumer.pid;
    try {
      await new Feeder(kafka, ns.config).send(events.slice(0, 5000));
      await waitFor('a first flush', () => Promise.resolve(consumer.log().includes('"msg":"flushed"')));
      await infra.kafka.process.stop();
      await new Promise((r) => setTimeout(r, 5000));
      await infra.kafka.start();
      // A new client: the old one's connections went down with the broker.
      const after = new KafkaConnection(ns.config);
      try {
        await new Feeder(after, ns.config).send([...events.slice(5000), ...events.slice(0, 1000)]);
      } finally {
        await after.onApplicationShutdown();
      }
      await waitForExact(cql, events);
      expect(consumer.pid).toBe(pid);
    } finally {
      const code = await consumer.stop();
      if (code !== 0) process.stderr.write(consumer.log().slice(-6000));
      expect(code).toBe(0);
    }
  });
});
