import { Env } from '@reeltime/config';
import { Rating } from '@reeltime/contracts';
import { LocalInfra } from '../../tools/infra';
import { ConsumerTestBed } from './consumer-bed';
import { checkQuietExact } from './exactness';
import { BackgroundFeed, faultLoad, waitForZeroLag } from './faults';
import { Feeder } from './ratings';
import { ServiceProcess } from './service-process';

export const HARD_FAULT_BATCH_MS = 1000;

/** A consumer under a background feed of the test's sequence, while a fault is injected and healed. */
export interface UnderLoad {
  consumer: ServiceProcess;
  /** The consumer's PID at start: the same process must carry on through the fault. */
  pid: number | undefined;
  feed: BackgroundFeed;
}

/**
 * What the hard-fault tests of the consumer share: a namespace with short batches (1 s, at most 500
 * records) over 3 partitions, 4,000 distinct events from 50 users with ~8 % re-sends, the local infra
 * to hurt, and the frame of the test — a consumer started under a background feed, its log printed if
 * the test fails, a clean stop (exit 0) whatever happened, then the stats checked again after
 * everything went quiet and every message committed.
 */
export class HardFaultBed {
  readonly bed: ConsumerTestBed;
  readonly sequence: Rating[];
  readonly infra = new LocalInfra();

  constructor(name: string, seed: number, env: Env = {}) {
    this.bed = ConsumerTestBed.withShortBatches(name, { BATCH_MAX_RECORDS: '500', ...env });
    this.sequence = faultLoad({ count: 4000, users: 50, seed }).sequence;
  }

  /**
   * Runs `fault` (inject, heal, wait for exactness) with a consumer under load; `always` undoes what
   * must never outlive the test (a stopped JVM) and returns what the feed still has to finish.
   * Returns the number of messages committed once everything is quiet.
   */
  async run(
    fault: (run: UnderLoad) => Promise<void>,
    always: (run: UnderLoad) => Promise<unknown> | void = () => undefined,
  ): Promise<number> {
    const consumer = new ServiceProcess('consumer', this.bed.ns.env);
    await consumer.start();
    const run: UnderLoad = {
      consumer,
      pid: consumer.pid,
      feed: new BackgroundFeed(new Feeder(this.bed.kafka, this.bed.ns.config), this.sequence, 150, 100),
    };
    try {
      await fault(run);
    } catch (err) {
      process.stderr.write(consumer.log().slice(-8000));
      throw err;
    } finally {
      // `always` may hand back the feed's stop already under way.
      if ((await always(run)) === undefined) await run.feed.stop();
      const code = await consumer.stop();
      if (code !== 0) process.stderr.write(consumer.log().slice(-6000));
      expect(code).toBe(0);
    }
    await checkQuietExact(await this.bed.cql(), this.sequence, 2 * HARD_FAULT_BATCH_MS);
    return waitForZeroLag(this.bed);
  }
}
