import { waitFor } from '../support/app';
import { ConsumerTestBed } from '../support/consumer-bed';
import { Feeder, generateRatings, waitForExact } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';

/**
 * When the DLQ topic refuses dead letters (here: its `max.message.bytes` shrunk below any record after
 * the consumer has read the limit, so every send is refused as too large), they go to the
 * `dead_letters` table instead, the valid ratings of the same batches are written, and the offsets move on.
 */
describe('dead letters the DLQ topic refuses', () => {
  const bed = new ConsumerTestBed('dlqfallback', {
    LOG_LEVEL: 'info',
    BATCH_INTERVAL_MS: '500',
    KAFKA_PARTITIONS: '2',
  });
  const { ns } = bed;
  const events = generateRatings({ users: 20, count: 600, seed: 9, lateFraction: 0.1 });
  const poison = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({ key: `bad ${from + i}`, value: `{"not json": ${from + i}` }));

  beforeAll(() => bed.setUp());
  afterAll(() => bed.tearDown());

  it('stores them in Cassandra with their reason and source, and writes the valid ratings', async () => {
    const consumer = new ServiceProcess('consumer', ns.env);
    await consumer.start();
    const feeder = new Feeder(bed.kafka, ns.config);
    try {
      await feeder.sendRaw(poison(0, 10));
      await feeder.send(events.slice(0, 200));
      await waitFor('the first dead letters published', () =>
        Promise.resolve(/"msg":"flushed"[^\n]*"deadLetters":10/.test(consumer.log())),
      );

      await bed.setMaxMessageBytes(ns.config.kafka.topics.dlq, 16);
      await feeder.sendRaw(poison(10, 50));
      await feeder.send(events.slice(200));

      const cql = await bed.cql();
      await waitForExact(cql, events, 60_000);
      const rows = await waitFor('50 dead letters in the table', async () => {
        const rs = await cql.execute('SELECT * FROM dead_letters', [], { fetchSize: 1000 });
        return rs.rowLength >= 50 ? rs.rows : undefined;
      });
      expect(rows).toHaveLength(50);
      const values = rows.map((r) => (r.get('value') as Buffer).toString()).sort();
      expect(values).toEqual(
        poison(10, 50)
          .map((p) => p.value)
          .sort(),
      );
      for (const r of rows) {
        expect(r.get('error')).toMatch(/JSON/);
        expect(r.get('publish_error')).toMatch(/larger than the max message size/);
        expect(r.get('source_topic')).toBe(ns.config.kafka.topics.ratings);
        expect(Number(r.get('source_offset'))).toBeGreaterThanOrEqual(0);
      }
      const lag = await bed.kafka.lag(ns.config.kafka.consumerGroup, ns.config.kafka.topics.ratings);
      expect(lag.every((p) => p.lag === 0)).toBe(true);
      const metrics = await (await fetch(`${consumer.url}/metrics`)).text();
      expect(metrics).toMatch(/reeltime_consumer_dead_letters_total\{outcome="stored"[^}]*\} 50/);
      expect(metrics).toMatch(/reeltime_consumer_dead_letters_total\{outcome="published"[^}]*\} 10/);
    } finally {
      expect(await consumer.stop()).toBe(0);
    }
  });
});
