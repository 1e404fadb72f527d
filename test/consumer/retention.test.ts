import { ConsumerTestBed } from '../support/consumer-bed';
import { waitForExact } from '../support/exactness';
import { Feeder, generateRatings } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';

const DAY = 86_400;

/**
 * RATINGS_TTL_DAYS and STATS_TTL_DAYS reach Cassandra as the write TTLs of every row the consumer
 * writes: Cassandra's own TTL() of each cell, read right after the flush, is the setting (less the
 * seconds since the write).
 */
describe('retention settings', () => {
  const bed = new ConsumerTestBed('retention', {
    BATCH_INTERVAL_MS: '500',
    RATINGS_TTL_DAYS: '2',
    STATS_TTL_DAYS: '30',
  });
  const { ns } = bed;

  beforeAll(() => bed.setUp());
  afterAll(() => bed.tearDown());

  it('writes ratings, trending counts and stats with the configured TTLs', async () => {
    const events = generateRatings({ users: 20, count: 300, seed: 5, lateFraction: 0.1 });
    const consumer = new ServiceProcess('consumer', ns.env);
    await consumer.start();
    try {
      await new Feeder(bed.kafka, ns.config).send(events);
      const cql = await bed.cql();
      await waitForExact(cql, events, 60_000);
      const ttls = async (cqlText: string): Promise<number[]> =>
        (await cql.execute(cqlText, [], { fetchSize: 10_000 })).rows.map((r) => Number(r.get('t')));
      const within = (values: number[], days: number) => {
        expect(values.length).toBeGreaterThan(0);
        for (const v of values) {
          expect(v).toBeLessThanOrEqual(days * DAY);
          expect(v).toBeGreaterThan(days * DAY - 600);
        }
      };
      within(await ttls('SELECT TTL(rating) AS t FROM records'), 2);
      within(await ttls('SELECT TTL(count) AS t FROM movie_counts_by_minute'), 2);
      within(await ttls('SELECT TTL(count) AS t FROM movie_counts_by_hour'), 2);
      within(await ttls('SELECT TTL(count) AS t FROM user_hour_stats'), 30);
      // A TTL makes every cell larger; the batches still stay under Cassandra's size warning.
      expect(consumer.since(0)).not.toContain('exceeding specified threshold');
    } finally {
      expect(await consumer.stop()).toBe(0);
    }
  });
});
