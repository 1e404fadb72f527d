import { randomUUID } from 'node:crypto';
import { HOUR_MS, Rating } from '@reeltime/contracts';
import { ConsumerTestBed } from '../support/consumer-bed';
import { waitForExact } from '../support/exactness';
import { sleep, waitForZeroLag } from '../support/faults';
import { Feeder, prng } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';

const USERS = 100_000;

/**
 * A backlog from 100,000 distinct users, drained by one consumer under the production heap cap
 * (SERVICE_NODE_ARGS: --max-old-space-size=192) with the production cache bound. Every user has a
 * row in the current hour and every tenth one in the previous hour too, so each batch touches tens of
 * thousands of (user, hour)s that no cache holds: the shape that once ran the consumer out of heap.
 */
describe('a backlog from 100,000 users', () => {
  const bed = new ConsumerTestBed('manyusers', { LOG_LEVEL: 'info', BATCH_INTERVAL_MS: '2000' });
  const { ns } = bed;

  beforeAll(() => bed.setUp());
  afterAll(() => bed.tearDown());

  it('is drained exactly by a consumer that stays inside its heap cap', async () => {
    const rnd = prng(17);
    const now = Date.now();
    const events: Rating[] = [];
    for (let u = 0; u < USERS; u++) {
      const name = `viewer ${u}`;
      const rating = (time: number): Rating => ({
        id: randomUUID(),
        name,
        movie: `Movie ${Math.floor(rnd() * 500)}`,
        rating: 1 + Math.floor(rnd() * 10),
        time,
      });
      events.push(rating(now - Math.floor(rnd() * 60_000)));
      if (u % 10 === 0) events.push(rating(now - HOUR_MS - Math.floor(rnd() * 60_000)));
    }
    const feeder = new Feeder(bed.kafka, ns.config);
    await feeder.send(events, 5000);

    const consumer = new ServiceProcess('consumer', ns.env);
    let peakHeap = 0;
    let peakRss = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const text = await fetch(`${consumer.url}/metrics`).then(
          (r) => r.text(),
          () => '',
        );
        const value = (metric: string): number =>
          Number(new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
        peakHeap = Math.max(peakHeap, value('nodejs_heap_size_used_bytes'));
        peakRss = Math.max(peakRss, value('process_resident_memory_bytes'));
        await sleep(500);
      }
    })();
    const started = Date.now();
    await consumer.start();
    try {
      await waitForZeroLag(bed, 600_000);
      const drainedMs = Date.now() - started;
      // It drained without dying: an out-of-heap consumer exits and never commits the rest.
      expect(consumer.since(0)).not.toContain('heap out of memory');
      // Every multi-partition batch stays under Cassandra's batch size warning, which comes back to
      // the driver in the answer (and costs a log line on both sides).
      expect(consumer.since(0)).not.toContain('exceeding specified threshold');
      // A batch closes at BATCH_MAX_USER_HOURS (10,000 by default) plus at most one partition's fetch
      // (1 MiB, of messages of at least 100 bytes here): kafkajs's batches fetched before the pause are
      // left for later, not added (they once made batches of 30,000).
      const flushed = consumer
        .since(0)
        .split('\n')
        .filter((line) => line.includes('"msg":"flushed"'))
        .map((line) => (JSON.parse(line) as { userHours: number }).userHours);
      expect(flushed.length).toBeGreaterThan(0);
      expect(Math.max(...flushed)).toBeLessThanOrEqual(10_000 + Math.ceil(1_048_576 / 100));
      await waitForExact(await bed.cql(), events, 120_000);
      process.stderr.write(
        `[many users] ${events.length} ratings from ${USERS} users drained in ${(drainedMs / 1000).toFixed(1)} s ` +
          `(${Math.round(events.length / (drainedMs / 1000))}/s); peak heap used ${(peakHeap / 2 ** 20).toFixed(0)} MiB, ` +
          `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB; largest batch ${Math.max(...flushed)} user-hours\n`,
      );
      expect(peakHeap).toBeGreaterThan(0);
      expect(peakHeap).toBeLessThan(192 * 2 ** 20);
    } catch (err) {
      process.stderr.write(consumer.log().slice(-4000));
      throw err;
    } finally {
      sampling = false;
      await sampler;
      expect(await consumer.stop()).toBe(0);
    }
  }, 900_000);
});
