import { KafkaConnection } from '@reeltime/kafka';
import { LocalInfra } from '../../tools/infra';
import { waitFor } from '../support/app';
import { ConsumerTestBed } from '../support/consumer-bed';
import { Feeder, generateRatings, waitForExact } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';

/** The broker restarts under a running consumer: redelivery at most, never loss, stats exact. */
describe('Kafka restart during ingestion', () => {
  const bed = new ConsumerTestBed('kafkarestart', {
    LOG_LEVEL: 'info',
    BATCH_INTERVAL_MS: '1000',
    BATCH_MAX_RECORDS: '2000',
  });
  const { ns } = bed;
  const events = generateRatings({ users: 40, count: 8_000, seed: 41, lateFraction: 0.1 });
  const infra = new LocalInfra();

  beforeAll(() => bed.setUp());
  afterAll(async () => {
    await infra.kafka.start(); // leave the broker running for the next tests whatever happened
    await bed.tearDown();
  });

  it('resumes on its own after the broker comes back and ends exact', async () => {
    const consumer = new ServiceProcess('consumer', ns.env);
    await consumer.start();
    const pid = consumer.pid;
    try {
      await new Feeder(bed.kafka, ns.config).send(events.slice(0, 5000));
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
      try {
        await waitForExact(await bed.cql(), events);
      } catch (err) {
        // What the consumer did around the restart, for whoever has to find out why it did not recover.
        process.stderr.write(consumer.log().slice(-12_000));
        throw err;
      }
      expect(consumer.pid).toBe(pid);
    } finally {
      const code = await consumer.stop();
      if (code !== 0) process.stderr.write(consumer.log().slice(-6000));
      expect(code).toBe(0);
    }
  }, 240_000); // a broker start (up to 40 s here) and the 120 s the rows get to be exact
});
