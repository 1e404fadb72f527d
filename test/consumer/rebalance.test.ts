import { waitFor } from '../support/app';
import { ConsumerTestBed } from '../support/consumer-bed';
import { Feeder, generateRatings, waitForExact } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';
import { sleep } from '@reeltime/runtime';

/** Two consumers share the partitions; one stops while ratings keep arriving, and the other takes over. */
describe('two consumer instances and a rebalance', () => {
  const bed = new ConsumerTestBed('rebalance', { LOG_LEVEL: 'info', BATCH_INTERVAL_MS: '700', KAFKA_PARTITIONS: '6' });
  const { ns } = bed;
  const events = generateRatings({ users: 60, count: 12_000, seed: 23, lateFraction: 0.1 });

  beforeAll(() => bed.setUp());
  afterAll(() => bed.tearDown());

  it('loses nothing and counts nothing twice when one instance leaves mid-run', async () => {
    const a = new ServiceProcess('consumer', { ...ns.env, CONSUMER_PORT: String(Number(ns.env.CONSUMER_PORT) + 500) });
    const b = new ServiceProcess('consumer', ns.env);
    await Promise.all([a.start(), b.start()]);
    const feeder = new Feeder(bed.kafka, ns.config);
    try {
      // Both instances must own partitions before the load, or nothing is being tested.
      await waitFor('both instances assigned', () =>
        Promise.resolve(a.log().includes('joined consumer group') && b.log().includes('joined consumer group')),
      );
      for (let i = 0; i < events.length; i += 1000) {
        await feeder.send(events.slice(i, i + 1000));
        if (i === 6000) {
          // Mid-run: B leaves (SIGTERM flushes and commits), A is handed B's partitions.
          expect(await b.stop()).toBe(0);
        }
        await sleep(150);
      }
      await feeder.send(events.slice(0, 2000)); // and some duplicates after the move
      await waitForExact(await bed.cql(), events);
      expect(a.log()).toContain('"msg":"flushed"');
      expect(b.log()).toContain('"msg":"flushed"');
    } finally {
      await a.stop();
      await b.kill();
    }
  });
});
