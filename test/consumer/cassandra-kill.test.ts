import { waitForExact } from '../support/exactness';
import { firstAfter, nextFlushStart, reportHeal, sleep } from '../support/faults';
import { HardFaultBed } from '../support/hard-fault';

/**
 * kill -9 of the Cassandra JVM right after a flush started: no drain, no goodbye, some of the flush's
 * writes applied and some not. Ratings keep arriving meanwhile; then Cassandra starts again (commit
 * log replay) and the same consumer process must carry on to exactly the distinct events.
 */
describe('Cassandra killed with SIGKILL in the middle of a flush', () => {
  const t = new HardFaultBed('cassandrakill', 61);
  const { bed, infra, sequence } = t;

  beforeAll(() => bed.setUp());
  afterAll(async () => {
    await infra.cassandra.start(); // whatever happened, leave Cassandra running for the next tests
    await bed.tearDown();
  });

  it('loses nothing and counts nothing twice, and is still exact after the consumer stopped', async () => {
    const committed = await t.run(async ({ consumer, pid, feed }) => {
      const mark = await nextFlushStart(consumer);
      await infra.cassandra.process.kill();
      const faultAt = Date.now();
      // The kill landed mid-flush: the flush that had just started failed instead of completing.
      await consumer.waitForOutput('"msg":"flush failed, retrying"', mark, 30_000).catch(() => undefined);
      expect(firstAfter(consumer, mark, ['"msg":"flushed"', '"msg":"flush failed, retrying"'])).toBe(
        '"msg":"flush failed, retrying"',
      );

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
    });
    expect(committed).toBe(sequence.length);
  }, 240_000); // a failed wait (90 s) still reports its differences before Jest gives up
});
