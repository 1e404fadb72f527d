import { Consumer, PartitionAssigners } from 'kafkajs';
import { waitFor } from '../support/app';
import { ConsumerTestBed } from '../support/consumer-bed';
import { Feeder, generateRatings, waitForExact } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';

/**
 * A non-retriable crash on the real broker: another client holds the consumer group with a partition
 * assignor the service does not speak, so the broker refuses the service's join with
 * INCONSISTENT_GROUP_PROTOCOL. kafkajs gives up on such errors and stays disconnected; the service must
 * keep rejoining and consume everything once the group is free, without a restart.
 */
describe('consumer group join refused by the broker', () => {
  const bed = ConsumerTestBed.withShortBatches('rejoin', { BATCH_MAX_RECORDS: '2000' });
  const { ns } = bed;
  const events = generateRatings({ users: 30, count: 3_000, seed: 53, lateFraction: 0.1 });
  let squatter: Consumer | undefined;

  beforeAll(() => bed.setUp());
  afterAll(async () => {
    await squatter?.disconnect();
    await bed.tearDown();
  });

  it('rejoins after the crash and ends exact', async () => {
    // Round-robin under another protocol name: a valid member the service's assignor cannot agree with.
    squatter = bed.kafka.createConsumer({
      groupId: ns.config.kafka.consumerGroup,
      partitionAssigners: [
        (config) => ({ ...PartitionAssigners.roundRobin(config), name: 'SquatterAssigner', version: 0 }),
      ],
    });
    let joined = false;
    squatter.on(squatter.events.GROUP_JOIN, () => (joined = true));
    await squatter.connect();
    await squatter.subscribe({ topic: ns.config.kafka.topics.ratings, fromBeginning: true });
    // Reads nothing it keeps and commits nothing: the service must still get every event.
    await squatter.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: () => Promise.resolve() });
    await waitFor('the other client to hold the group', () => Promise.resolve(joined));

    await new Feeder(bed.kafka, ns.config).send(events);
    const consumer = new ServiceProcess('consumer', ns.env);
    await consumer.start();
    const pid = consumer.pid;
    try {
      await waitFor('the refused join', () =>
        Promise.resolve(
          consumer.log().includes('"msg":"kafka consumer crashed"') && consumer.log().includes('"restart":false'),
        ),
      );
      expect(consumer.log()).toMatch(/incompatible with those of existing members/);
      // Still refused while the other client holds the group: nothing is written meanwhile.
      await new Promise((r) => setTimeout(r, 3000));
      expect(consumer.log()).not.toContain('"msg":"flushed"');

      await squatter.disconnect();
      squatter = undefined;
      try {
        await waitForExact(await bed.cql(), events);
      } catch (err) {
        process.stderr.write(consumer.log().slice(-12_000));
        throw err;
      }
      expect(consumer.log()).toContain('"msg":"joined consumer group"');
      expect(consumer.pid).toBe(pid);
    } finally {
      const code = await consumer.stop();
      if (code !== 0) process.stderr.write(consumer.log().slice(-6000));
      expect(code).toBe(0);
    }
  });
});
