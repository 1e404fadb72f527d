import { LocalInfra } from '../../tools/infra';
import { ConsumerTestBed } from '../support/consumer-bed';
import { checkQuietExact, waitForExact } from '../support/exactness';
import {
  BackgroundFeed,
  faultLoad,
  firstAfter,
  nextFlushStart,
  reportHeal,
  signalJvm,
  sleep,
  waitForZeroLag,
} from '../support/faults';
import { Feeder } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';

const BATCH_INTERVAL_MS = 1000;
const FREEZE_MS = 20_000;

/**
 * SIGSTOP of the Cassandra JVM right after a flush started, for 20 s, then SIGCONT: the requests in
 * flight time out on the client but stay queued in the frozen node, which applies them when it
 * wakes up, after the consumer has given them up and while its retries arrive. Writes that "failed"
 * yet happened must not be counted twice.
 */
describe('Cassandra frozen with SIGSTOP in the middle of a flush', () => {
  const bed = new ConsumerTestBed('cassandrafreeze', {
    LOG_LEVEL: 'info',
    BATCH_INTERVAL_MS: String(BATCH_INTERVAL_MS),
    BATCH_MAX_RECORDS: '500',
    KAFKA_PARTITIONS: '3',
    // Several timeouts (and retries that queue up behind the frozen ones) within the freeze.
    CASSANDRA_REQUEST_TIMEOUT_MS: '4000',
  });
  const { ns } = bed;
  const { sequence } = faultLoad({ count: 4000, users: 50, seed: 71 });
  const infra = new LocalInfra();
  let frozen = false;

  beforeAll(() => bed.setUp());
  afterAll(async () => {
    if (frozen) signalJvm(infra.cassandra.process, 'SIGCONT'); // never leave the node stopped
    await bed.tearDown();
  });

  it('loses nothing and counts nothing twice, and is still exact after the consumer stopped', async () => {
    const consumer = new ServiceProcess('consumer', ns.env);
    await consumer.start();
    const pid = consumer.pid;
    const feed = new BackgroundFeed(new Feeder(bed.kafka, ns.config), sequence, 150, 100);
    try {
      const mark = await nextFlushStart(consumer);
      signalJvm(infra.cassandra.process, 'SIGSTOP');
      frozen = true;
      const faultAt = Date.now();
      // The freeze caught the flush that had just started: it timed out instead of completing.
      await consumer.waitForOutput('"msg":"flush failed, retrying"', mark, FREEZE_MS).catch(() => undefined);
      expect(firstAfter(consumer, mark, ['"msg":"flushed"', '"msg":"flush failed, retrying"'])).toBe(
        '"msg":"flush failed, retrying"',
      );
      expect(consumer.since(mark)).toMatch(/timed out|Timeout|timeout/);
      await sleep(Math.max(0, FREEZE_MS - (Date.now() - faultAt)));
      signalJvm(infra.cassandra.process, 'SIGCONT');
      frozen = false;
      const resumedAt = Date.now();

      expect(await feed.stop()).toEqual([]);
      expect(feed.error).toBeUndefined();
      await waitForExact(await bed.cql(), sequence, 90_000);
      const now = Date.now();
      reportHeal('SIGSTOP of Cassandra for 20 s mid-flush (from the SIGSTOP)', faultAt, now);
      reportHeal('SIGSTOP of Cassandra for 20 s mid-flush (from the SIGCONT)', resumedAt, now);
      expect(consumer.pid).toBe(pid);
    } catch (err) {
      process.stderr.write(consumer.log().slice(-8000));
      throw err;
    } finally {
      if (frozen) signalJvm(infra.cassandra.process, 'SIGCONT');
      frozen = false;
      await feed.stop();
      expect(await consumer.stop()).toBe(0);
    }
    await checkQuietExact(await bed.cql(), sequence, 2 * BATCH_INTERVAL_MS);
    expect(await waitForZeroLag(bed)).toBe(sequence.length);
  }, 240_000); // a failed wait (90 s) still reports its differences before Jest gives up
});
