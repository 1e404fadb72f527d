import { waitFor } from '../support/app';
import { ConsumerTestBed } from '../support/consumer-bed';
import { Feeder, generateRatings, waitForExact } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';

/** kill -9 of the consumer while a flush is under way, three times, then a clean run: stats stay exact. */
describe('consumer killed with SIGKILL in the middle of a flush', () => {
  const bed = ConsumerTestBed.withShortBatches('crash', { BATCH_MAX_RECORDS: '1000' });
  const { ns } = bed;
  const events = generateRatings({ users: 80, count: 15_000, seed: 11, lateFraction: 0.1 });

  beforeAll(() => bed.setUp());
  afterAll(() => bed.tearDown());

  it('loses nothing and counts nothing twice', async () => {
    const feeder = new Feeder(bed.kafka, ns.config);
    // Each round brings fresh ratings (and, from the second on, duplicates of earlier ones), so every
    // kill lands while there is work under way.
    const chunks = [events.slice(0, 5000), events.slice(5000, 10000), events.slice(10000)];
    for (let round = 1; round <= 3; round++) {
      const batch = round === 1 ? chunks[0] : [...chunks[round - 1], ...events.slice(0, 1500)];
      // Half before the start, the rest in slices while the consumer runs: a fast consumer would
      // otherwise finish a small backlog before the test sees a flush start, leaving nothing to kill.
      const half = Math.floor(batch.length / 2);
      await feeder.send(batch.slice(0, half));
      const consumer = new ServiceProcess('consumer', ns.env);
      await consumer.start();
      let tail: string;
      try {
        const feeding = (async () => {
          for (let i = half; i < batch.length; i += 250) {
            await feeder.send(batch.slice(i, i + 250));
            await new Promise((r) => setTimeout(r, 100));
          }
        })();
        // Wait for a completed flush and then for the next one to start, and kill it right there.
        await waitFor(
          'a completed flush',
          () => Promise.resolve(consumer.log().includes('"msg":"flushed"')),
          60_000,
          20,
        );
        const seen = consumer.log().length;
        await waitFor(
          'the next flush to start',
          () => Promise.resolve(consumer.log().slice(seen).includes('"msg":"flush started"')),
          60_000,
          5,
        );
        await consumer.kill();
        await feeding;
        tail = consumer.log().slice(seen);
      } finally {
        await consumer.kill();
      }
      // The kill landed between "flush started" and "flushed": mid-flush.
      expect(tail.lastIndexOf('"msg":"flush started"')).toBeGreaterThan(tail.lastIndexOf('"msg":"flushed"'));
    }
    const consumer = new ServiceProcess('consumer', ns.env);
    await consumer.start();
    try {
      await waitForExact(await bed.cql(), events, 150_000);
      const lag = await waitFor('zero lag', async () => {
        const l = await bed.kafka.lag(ns.config.kafka.consumerGroup, ns.config.kafka.topics.ratings);
        return l.every((p) => p.lag === 0) ? l : undefined;
      });
      expect(lag.reduce((s, p) => s + p.committed, 0)).toBe(18_000);
    } finally {
      expect(await consumer.stop()).toBe(0);
    }
    // Four consumer starts, each waiting out the killed member's 30 s session before it gets the
    // partitions, then up to 150 s for exact rows: more than the default 180 s can hold on a busy machine.
  }, 360_000);
});
