import { LocalInfra } from '../../tools/infra';
import { waitFor } from '../support/app';
import { ConsumerTestBed } from '../support/consumer-bed';
import { Feeder, generateRatings, waitForExact } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';
import { sleep } from '@reeltime/runtime';

async function metric(service: ServiceProcess, name: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : NaN;
}

/** Cassandra stops for 30 s while ratings keep coming; the same consumer process recovers on its own. */
describe('Cassandra outage during ingestion', () => {
  const bed = new ConsumerTestBed('outage', {
    LOG_LEVEL: 'info',
    BATCH_INTERVAL_MS: '1000',
    BATCH_MAX_RECORDS: '3000',
  });
  const { ns } = bed;
  const events = generateRatings({ users: 40, count: 9_000, seed: 31, lateFraction: 0.1 });
  const infra = new LocalInfra();

  beforeAll(() => bed.setUp());
  afterAll(async () => {
    await infra.cassandra.start(); // whatever happened, leave Cassandra running for the next tests
    await bed.tearDown();
  });

  it('pauses, retries, resumes without a restart, and ends exact', async () => {
    const consumer = new ServiceProcess('consumer', ns.env);
    await consumer.start();
    const feeder = new Feeder(bed.kafka, ns.config);
    const pid = consumer.pid;
    try {
      await feeder.send(events.slice(0, 3000));
      await waitFor('a first flush', () => Promise.resolve(consumer.log().includes('"msg":"flushed"')));

      await infra.cassandra.process.stop();
      const outageStarted = Date.now();
      for (let i = 3000; i < 7500; i += 500) {
        await feeder.send(events.slice(i, i + 500));
        await sleep(2000);
      }
      await waitFor(
        'failed flushes to be retried',
        async () => (await metric(consumer, 'reeltime_consumer_flush_failures_total')) > 0,
      );
      expect(await metric(consumer, 'reeltime_consumer_paused')).toBe(1);
      expect((await fetch(`${consumer.url}/health`)).status).toBe(503);
      await sleep(Math.max(0, 30_000 - (Date.now() - outageStarted)));

      await infra.cassandra.start();
      await feeder.send(events.slice(7500));
      await waitForExact(await bed.cql(), events);
      expect(consumer.pid).toBe(pid);
      await waitFor('healthy again', async () => (await fetch(`${consumer.url}/health`)).status === 200);
      expect(await metric(consumer, 'reeltime_consumer_paused')).toBe(0);
    } finally {
      expect(await consumer.stop()).toBe(0);
    }
  });
});
