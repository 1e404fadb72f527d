import { waitForExact } from '../support/exactness';
import { firstAfter, nextFlushStart, reportHeal, signalJvm, sleep } from '../support/faults';
import { HardFaultBed } from '../support/hard-fault';

const FREEZE_MS = 20_000;

/**
 * SIGSTOP of the Cassandra JVM right after a flush started, for 20 s, then SIGCONT: the requests in
 * flight time out on the client but stay queued in the frozen node, which applies them when it
 * wakes up, after the consumer has given them up and while its retries arrive. Writes that "failed"
 * yet happened must not be counted twice.
 */
describe('Cassandra frozen with SIGSTOP in the middle of a flush', () => {
  // Several timeouts (and retries that queue up behind the frozen ones) within the freeze.
  const t = new HardFaultBed('cassandrafreeze', 71, { CASSANDRA_REQUEST_TIMEOUT_MS: '4000' });
  const { bed, infra, sequence } = t;
  let frozen = false;
  const thaw = (): void => {
    if (frozen) signalJvm(infra.cassandra.process, 'SIGCONT'); // never leave the node stopped
    frozen = false;
  };

  beforeAll(() => bed.setUp());
  afterAll(async () => {
    thaw();
    await bed.tearDown();
  });

  it('loses nothing and counts nothing twice, and is still exact after the consumer stopped', async () => {
    const committed = await t.run(async ({ consumer, pid, feed }) => {
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
      thaw();
      const resumedAt = Date.now();

      expect(await feed.stop()).toEqual([]);
      expect(feed.error).toBeUndefined();
      await waitForExact(await bed.cql(), sequence, 90_000);
      const now = Date.now();
      reportHeal('SIGSTOP of Cassandra for 20 s mid-flush (from the SIGSTOP)', faultAt, now);
      reportHeal('SIGSTOP of Cassandra for 20 s mid-flush (from the SIGCONT)', resumedAt, now);
      expect(consumer.pid).toBe(pid);
    }, thaw);
    expect(committed).toBe(sequence.length);
  }, 240_000); // a failed wait (90 s) still reports its differences before Jest gives up
});
