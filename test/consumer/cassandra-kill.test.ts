import { LocalInfra } from '../../tools/infra';
import { ConsumerTestBed } from '../support/consumer-bed';
import { checkQuietExact, waitForExact } from '../support/exactness';
import {
  BackgroundFeed,
  faultLoad,
  firstAfter,
  nextFlushStart,
  reportHeal,
  sleep,
  waitForZeroLag,
} from '../support/faults';
import { Feeder } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';

const BATCH_INTERVAL_MS = 1000;

/**
 * kill -9 of the Cassandra JVM right after a flush started: no drain, no goodbye, some of the flush's
 * writes applied and some not. Ratings keep arriving meanwhile; then Cassandra starts again (commit
 * log replay) and the same consumer process must carry on to exactly the distinct events.
 */
describe('Cassandra killed with SIGKILL in the middle of a flush', () => {
  const bed = new ConsumerTestBed('cassandrakill', {
    LOG_LEVEL: 'info',
    BATCH_INTERVAL_MS: String(BATCH_INTERVAL_MS),
    BATCH_MAX_RECORDS: '500',
    KAFKA_PARTITIONS: '3',
  });
  const { ns } = bed;
  const { sequence } = faultLoad({ count: 4000, users: 50, seed: 61 });
  const infra = new LocalInfra();

  beforeAll(() => bed.setUp());
  afterAll(async () => {
    await infra.cassandra.start(); // whatever happened, leave Cassandra running for the next tests
    await bed.tearDown();
  });

  it('loses nothing and counts nothing twice, and is still exact after the consumer stopped', async () => {
    const consumer = new ServiceProcess('consumer', ns.env);
    await consumer.start();
    const pid = consumer.pid;
    const feed = new BackgroundFeed(new Feeder(bed.kafka, ns.config), sequence, 150, 100);
    try {
      const mark = await nextFlushStart(consumer);
      await infra.cassandra.process.kill();
      const faultAt = Date.now();
      // The kill landed mid-flush: the flush that had just started failed instead of completing.
      const outcome = await (async () => {
        await consumer.waitForOutput('"msg":"flush failed, retrying"', mark, 30_000).catch(() => undefined);
        return firstAfter(consumer, mark, ['"msg":"flushed"', '"msg":"flush failed, retrying"']);
      })();
      expect(outcome).toBe('"msg":"flush failed, retrying"');

      await sleep(5000); // down for a while, ratings still arriving
      await infra.cassandra.start();
      const answeringAt = Date.now();
      expect(await feed.stop()).toEqual([]);
      expect(feed.error).toBeUndefined();
      await waitForExact(await bed.cql(), sequence, 90_000);
      const now = Date.now();
      reportHeal('kill -9 of Cassandra mid-flush (from the kill)', faultAt, now);
      reportHeal('kill -9 of Cassandra mid-flush (from Cassandra answering again)', answeringAt, now);
      expect(consumer.pid).toBe(pid);
    } catch (err) {
      process.stderr.write(consumer.log().slice(-8000));
      throw err;
    } finally {
      await feed.stop();
      expect(await consumer.stop()).toBe(0);
    }
    await checkQuietExact(await bed.cql(), sequence, 2 * BATCH_INTERVAL_MS);
    expect(await waitForZeroLag(bed)).toBe(sequence.length);
  }, 240_000); // a failed wait (90 s) still reports its differences before Jest gives up
});
