import { ConsumerTestBed } from '../support/consumer-bed';
import { checkQuietExact, waitForExact } from '../support/exactness';
import { BackgroundFeed, faultLoad, firstAfter, nextFlushStart, reportHeal, waitForZeroLag } from '../support/faults';
import { Feeder } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';

const BATCH_INTERVAL_MS = 1000;

/**
 * Two consumer instances share the partitions; one is killed with SIGKILL in the middle of a flush
 * while a third instance is joining the group. The dead member keeps its partitions until its
 * session times out, the joiner forces a rebalance meanwhile, and the survivors must end exact.
 */
describe('a consumer killed with SIGKILL mid-flush while another joins the group', () => {
  const bed = new ConsumerTestBed('killjoin', {
    LOG_LEVEL: 'info',
    BATCH_INTERVAL_MS: String(BATCH_INTERVAL_MS),
    BATCH_MAX_RECORDS: '400',
    KAFKA_PARTITIONS: '6',
  });
  const { ns } = bed;
  const { sequence } = faultLoad({ count: 4000, users: 60, seed: 91 });
  const port = (offset: number) => String(Number(ns.env.CONSUMER_PORT) + offset);

  beforeAll(() => bed.setUp());
  afterAll(() => bed.tearDown());

  it('loses nothing and counts nothing twice, and is still exact after the consumers stopped', async () => {
    const a = new ServiceProcess('consumer', ns.env);
    const b = new ServiceProcess('consumer', { ...ns.env, CONSUMER_PORT: port(500) });
    const c = new ServiceProcess('consumer', { ...ns.env, CONSUMER_PORT: port(501) });
    await Promise.all([a.start(), b.start()]);
    const feed = new BackgroundFeed(new Feeder(bed.kafka, ns.config), sequence, 100, 100);
    let joining: Promise<void> | undefined;
    try {
      // Both must own partitions before the fault, or nothing is being tested.
      await Promise.all([
        a.waitForOutput('"msg":"joined consumer group"', 0),
        b.waitForOutput('"msg":"joined consumer group"', 0),
      ]);
      const cMark = c.mark();
      joining = c.start();
      const mark = await nextFlushStart(a);
      await a.kill();
      const faultAt = Date.now();
      // A was killed mid-flush: the flush it had just started never completed.
      expect(firstAfter(a, mark, ['"msg":"flushed"', '"msg":"flush failed'])).toBeUndefined();
      await joining;
      expect(await feed.stop()).toEqual([]);
      expect(feed.error).toBeUndefined();
      await waitForExact(await bed.cql(), sequence, 90_000);
      reportHeal('kill -9 of one of two consumers mid-flush while a third joins', faultAt, Date.now());
      // The joiner took part: it got partitions in the rebalance and wrote some of the ratings.
      expect(c.since(cMark)).toContain('"msg":"joined consumer group"');
      expect(c.since(cMark)).toContain('"msg":"flushed"');
    } catch (err) {
      for (const s of [a, b, c]) process.stderr.write(s.log().slice(-4000));
      throw err;
    } finally {
      await feed.stop();
      await joining?.catch(() => undefined);
      const codes = await Promise.all([b.stop(), c.stop()]);
      await a.kill();
      expect(codes).toEqual([0, 0]);
    }
    await checkQuietExact(await bed.cql(), sequence, 2 * BATCH_INTERVAL_MS);
    expect(await waitForZeroLag(bed)).toBe(sequence.length);
  }, 240_000); // a failed wait (90 s) still reports its differences before Jest gives up
});
