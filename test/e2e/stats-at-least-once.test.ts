import { HourlyStats, Rating, aggregateRatings, hourStart } from '@reeltime/contracts';
import { Socket, io } from 'socket.io-client';
import { waitFor } from '../support/app';
import { ConsumerTestBed } from '../support/consumer-bed';
import { Feeder, generateRatings, waitForExact } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';

const INTERVAL_MS = 500;
const SHUTDOWN_MS = 3000;

/**
 * The stats messages that invalidate the query service's cache and drive the socket pushes are
 * published before the consumer commits. The test makes the broker refuse them (the stats topic's
 * `max.message.bytes` shrunk below one message) after the consumer has written a batch to Cassandra, so
 * the consumer sits between its write and its publish; there it is ended (SIGTERM, then kill -9). After
 * each, the topic is mended and a new consumer must publish the batch again: the REST answer, which the
 * query service had cached before, and the socket push must both show the new figures.
 */
describe('stats updates are published at least once', () => {
  const bed = new ConsumerTestBed('statsonce', {
    LOG_LEVEL: 'info',
    BATCH_INTERVAL_MS: String(INTERVAL_MS),
    KAFKA_PARTITIONS: '2',
    CONSUMER_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_MS),
    // Long enough that only a stats message can make the cached answer right within this test.
    QUERY_CACHE_TTL_MS: '600000',
  });
  const { ns } = bed;
  const name = 'user 1';
  const now = Date.now();
  const events = generateRatings({ users: 3, count: 900, seed: 5, now }).filter((e) => e.name === name);
  const hour = hourStart(now);
  const current = (rs: Rating[]) => rs.filter((r) => hourStart(r.time) === hour);
  const query = new ServiceProcess('query', ns.env);
  let socket: Socket;
  const pushes: HourlyStats[] = [];
  const consumers: ServiceProcess[] = [];

  // undefined: back to Kafka's default, the topic as the consumer created it.
  const setStatsLimit = (bytes: number | undefined) => bed.setMaxMessageBytes(ns.config.kafka.topics.stats, bytes);
  const restCount = async (): Promise<number> => {
    const res = await fetch(
      `${query.url}/api/users/${encodeURIComponent(name)}/hours/${new Date(hour).toISOString()}/stats`,
    );
    return ((await res.json()) as HourlyStats).count;
  };
  const metric = async (consumer: ServiceProcess, metricName: string): Promise<number> => {
    const text = await (await fetch(`${consumer.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(metricName));
    return line ? Number(line.split(' ').pop()) : NaN;
  };

  beforeAll(async () => {
    await bed.setUp();
    await query.start();
    socket = io(`${query.url}/live`, { transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    socket.on('stats', (s: HourlyStats) => pushes.push(s));
    const ack = (await socket.emitWithAck('subscribe', { name })) as { ok: boolean };
    expect(ack.ok).toBe(true);
  });
  afterAll(async () => {
    // Whatever failed, no consumer is left running (one that already exited answers at once).
    for (const c of consumers) await c.kill();
    socket?.disconnect();
    await query.stop();
    await bed.tearDown();
  });

  it('re-publishes after a SIGTERM and after a kill -9 between the write and the publish', async () => {
    const feeder = new Feeder(bed.kafka, ns.config);
    const parts = [events.slice(0, 100), events.slice(100, 200), events.slice(200, 300)];
    const expectedCount = (n: number) => aggregateRatings(current(parts.slice(0, n).flat()).map((r) => r.rating)).count;
    const pushed = (count: number) =>
      waitFor(`a stats push with count ${count}`, () =>
        Promise.resolve(pushes.some((p) => p.hour === new Date(hour).toISOString() && p.count === count)),
      );

    // 1. A normal batch: pushed, and the REST answer is read (and cached) by the query service.
    let consumer = new ServiceProcess('consumer', ns.env);
    consumers.push(consumer);
    await consumer.start();
    await feeder.send(parts[0]);
    await pushed(expectedCount(1));
    expect(await restCount()).toBe(expectedCount(1));

    for (const [i, end] of [
      [1, 'SIGTERM'],
      [2, 'kill -9'],
    ] as const) {
      // 2. The broker now refuses stats messages; the next batch reaches Cassandra but not the topic.
      await setStatsLimit(16);
      await feeder.send(parts[i]);
      await waitFor('the flush to fail at its stats publish', async () => {
        const res = await fetch(`${consumer.url}/health`);
        const body = await res.text();
        return res.status === 503 && /kafka: flushes failing/.test(body) ? body : undefined;
      });
      expect(await metric(consumer, 'reeltime_consumer_flush_failing_seconds')).toBeGreaterThan(0);
      await waitForExact(await bed.cql(), parts.slice(0, i + 1).flat(), 30_000);
      // Cassandra has the batch; nothing has told the query service, whose cached answer stays old.
      expect(await restCount()).toBe(expectedCount(i));

      if (end === 'SIGTERM') {
        const started = Date.now();
        expect(await consumer.stop(SHUTDOWN_MS + 20_000)).toBe(0);
        const took = Date.now() - started;
        process.stdout.write(`[stats-once] SIGTERM mid-retry: exited after ${took} ms\n`);
        expect(took).toBeLessThan(SHUTDOWN_MS + 10_000);
        expect(consumer.log()).toMatch(/gave up a batch at shutdown/);
      } else {
        await consumer.kill();
      }

      // 3. The topic is mended; a new consumer gets the uncommitted batch again and publishes it.
      await setStatsLimit(undefined);
      const healed = Date.now();
      consumer = new ServiceProcess('consumer', ns.env);
      consumers.push(consumer);
      await consumer.start();
      await pushed(expectedCount(i + 1));
      await waitFor('the REST answer to show the batch', async () => (await restCount()) === expectedCount(i + 1));
      process.stdout.write(`[stats-once] after ${end}: pushed and answered ${Date.now() - healed} ms after restart\n`);
    }
    await waitForExact(await bed.cql(), events.slice(0, 300));
    expect(await consumer.stop()).toBe(0);
  });
});
