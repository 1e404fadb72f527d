import { KafkaConnection } from '@reeltime/kafka';
import { waitForExact } from '../support/exactness';
import { nextFlushStart, reportHeal, signalJvm, sleep } from '../support/faults';
import { HardFaultBed } from '../support/hard-fault';
import { Feeder } from '../support/ratings';

/**
 * kill -9 of the only Kafka broker while the consumer commits a flush whose rows are already in
 * Cassandra. The broker is frozen (SIGSTOP) as the flush starts, so the flush's writes complete but
 * its offset commit cannot be answered, and killed once that commit is waiting on it: the commit
 * may or may not have reached the broker's log. Then the broker starts again (log recovery).
 */
describe('Kafka broker killed with SIGKILL in the middle of an offset commit', () => {
  const t = new HardFaultBed('kafkakill', 81);
  const { bed, infra, sequence } = t;
  const { ns } = bed;
  let frozen = false;
  let after: KafkaConnection | undefined;
  const thaw = (): void => {
    if (frozen) signalJvm(infra.kafka.process, 'SIGCONT');
    frozen = false;
  };

  beforeAll(() => bed.setUp());
  afterAll(async () => {
    thaw();
    await infra.kafka.start(); // leave the broker running for the next tests whatever happened
    await after?.onApplicationShutdown();
    await bed.tearDown();
  });

  it('loses nothing and counts nothing twice, and is still exact after the consumer stopped', async () => {
    let unsent: Promise<unknown> | undefined;
    const committed = await t.run(
      async ({ consumer, pid, feed }) => {
        const mark = await nextFlushStart(consumer);
        signalJvm(infra.kafka.process, 'SIGSTOP');
        frozen = true;
        const faultAt = Date.now();
        unsent = feed.stop(); // its slice in flight waits on the frozen broker
        // Long enough for the flush's Cassandra writes (well under a second); its commit is then
        // waiting on the broker: the flush has neither completed nor failed.
        await sleep(2000);
        const midFlush = consumer.since(mark);
        expect(midFlush).not.toContain('"msg":"flushed"');
        expect(midFlush).not.toContain('"msg":"flush failed');
        await infra.kafka.process.kill();
        frozen = false;
        await sleep(3000); // down for a while
        await infra.kafka.start();

        // Whatever the producer could not be sure of is sent again, by a new client.
        const rest = (await unsent) as typeof sequence;
        after = new KafkaConnection(ns.config);
        await new Feeder(after, ns.config).send(rest);
        await waitForExact(await bed.cql(), sequence, 90_000);
        reportHeal('kill -9 of the Kafka broker mid-commit', faultAt, Date.now());
        expect(consumer.pid).toBe(pid);
        // kafkajs either retried the commit into the restarted broker or gave it up (then the batch is
        // redelivered after the consumer rejoined): which one depends on how fast the broker came back.
        const gaveUp = consumer.since(mark).includes('"msg":"offset commit failed');
        process.stderr.write(
          `[heal] the interrupted commit was ${gaveUp ? 'given up' : 'retried into the restarted broker'}\n`,
        );
      },
      () => {
        thaw();
        return unsent;
      },
    );
    // Every message on the topic is committed (a re-sent slice may have been appended twice).
    expect(committed).toBeGreaterThanOrEqual(sequence.length);
  }, 240_000); // a failed wait (90 s) still reports its differences before Jest gives up
});
