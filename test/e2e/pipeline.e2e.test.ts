import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DLQ_HEADERS,
  HourlyStats,
  PipelineHealth,
  Rating,
  aggregateRatings,
  decodeRatingEvent,
  deadLetterReason,
  hourStart,
} from '@reeltime/contracts';
import { Consumer, KafkaConnection } from '@reeltime/kafka';
import { io, Socket } from 'socket.io-client';
import { waitFor } from '../support/app';
import { launchChromium } from '../support/browser';
import { testNamespace } from '../support/namespace';
import { Feeder } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';
import { sleep } from '@reeltime/runtime';

const ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts');
const hourIso = (ms: number) => new Date(ms).toISOString();

/**
 * The three real services as separate processes (as `npm start` runs them) on the real Kafka and
 * Cassandra: a seeded producer load with late events, injected poison messages and duplicates; then
 * every REST answer and WebSocket push for a sample of users must equal what this test computes from
 * the events it read on the ratings topic, and the dashboard must show the same numbers.
 */
describe('the whole pipeline, end to end', () => {
  const ns = testNamespace('e2e', {
    BATCH_INTERVAL_MS: '1000',
    KAFKA_PARTITIONS: '3',
    PRODUCER_AUTOSTART: 'false',
    PRODUCER_USERS: '12',
    PRODUCER_SEED: '2026',
    PRODUCER_RATE: '150',
    PRODUCER_LATE_FRACTION: '0.15',
  });
  const consumer = new ServiceProcess('consumer', ns.env);
  const query = new ServiceProcess('query', ns.env);
  const producer = new ServiceProcess('producer', ns.env);
  let kafka: KafkaConnection;
  const seen = new Map<string, Rating>();
  const pushes = new Map<string, HourlyStats>();
  const health: PipelineHealth[] = [];
  const dlq: Array<Record<string, string>> = [];
  let socket: Socket;
  const subscribed: string[] = [];
  let reader: Consumer | undefined;

  const expected = (name: string, hour: number) =>
    aggregateRatings(
      [...seen.values()].filter((r) => r.name === name && hourStart(r.time) === hour).map((r) => r.rating),
    );
  const userHours = () => {
    const keys = new Map<string, { name: string; hour: number }>();
    for (const r of seen.values())
      keys.set(`${r.name}|${hourStart(r.time)}`, { name: r.name, hour: hourStart(r.time) });
    return [...keys.values()];
  };
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${query.url}${path}`);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    await ns.migrate();
    kafka = new KafkaConnection(ns.config);
    await kafka.ensureTopics(Object.values(ns.config.kafka.topics));
    // What the test "sees": every valid event on the ratings topic, and the DLQ.
    reader = kafka.createConsumer({ groupId: `${ns.id}.e2e-reader` });
    await reader.connect();
    await reader.subscribe({
      topics: [ns.config.kafka.topics.ratings, ns.config.kafka.topics.dlq],
      fromBeginning: true,
    });
    await reader.run({
      eachMessage: ({ topic, message }) => {
        if (topic === ns.config.kafka.topics.dlq) {
          dlq.push(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])));
        } else {
          const d = decodeRatingEvent(message.value, { now: Date.now(), maxFutureSkewMs: 300_000, maxBytes: 4096 });
          if (d.ok && message.key?.toString() === d.rating.name) seen.set(d.rating.id, d.rating);
        }
        return Promise.resolve();
      },
    });
    // The query service's health panel asks the producer, at the port it got.
    await producer.start();
    query.env.QUERY_PRODUCER_URL = producer.url;
    await Promise.all([consumer.start(), query.start()]);
  });
  afterAll(async () => {
    socket?.disconnect();
    await reader?.disconnect();
    await Promise.all([producer.stop(), query.stop(), consumer.stop()].map((p) => p.catch(() => null)));
    await kafka.onApplicationShutdown();
    await ns.drop();
  });

  it('ingests a seeded load with late events, poison messages and duplicates', async () => {
    expect((await fetch(`${producer.url}/producer/start`, { method: 'POST' })).status).toBe(200);
    await waitFor('first events', () => Promise.resolve(seen.size >= 50));
    // Subscribe over the socket to three users as soon as they exist.
    socket = io(`${query.url}/live`, { transports: ['websocket'] });
    socket.on('stats', (s: HourlyStats) => pushes.set(`${s.name}|${Date.parse(s.hour)}`, s));
    socket.on('health', (h: PipelineHealth) => health.push(h));
    await new Promise<void>((r) => socket.on('connect', () => r()));
    for (const name of [...new Set([...seen.values()].map((r) => r.name))].slice(0, 3)) {
      const ack = (await socket.emitWithAck('subscribe', { name })) as { ok: boolean };
      expect(ack.ok).toBe(true);
      subscribed.push(name);
    }
    await sleep(6000);
    expect((await fetch(`${producer.url}/producer/stop`, { method: 'POST' })).status).toBe(200);

    const feeder = new Feeder(kafka, ns.config);
    await feeder.sendRaw([
      { key: 'x', value: 'not json' },
      { key: 'x', value: JSON.stringify({ id: 'nope', name: 'x', movie: 'm', rating: 5, time: Date.now() }) },
      {
        key: 'x',
        value: JSON.stringify({
          id: '3f2b8c1e-2f7a-4a57-9d3e-7c5b1a9e0d21',
          name: 'x',
          movie: 'm',
          rating: 0,
          time: Date.now(),
        }),
      },
    ]);
    await feeder.send([...seen.values()].slice(0, 200)); // duplicates of what was already sent

    await waitFor(
      'the consumer to commit everything',
      async () => {
        const lag = await kafka.lag(ns.config.kafka.consumerGroup, ns.config.kafka.topics.ratings);
        return lag.length > 0 && lag.every((p) => p.lag === 0) && lag.reduce((s, p) => s + p.end, 0) > 0;
      },
      90_000,
    );
    await waitFor('the DLQ', () => Promise.resolve(dlq.length >= 3));
    expect(dlq.every((h) => h[DLQ_HEADERS.error] && h[DLQ_HEADERS.sourceOffset])).toBe(true);
    expect(seen.size).toBeGreaterThan(300);
    expect([...seen.values()].some((r) => hourStart(r.time) < hourStart(Date.now()))).toBe(true);
  });

  it('answers every REST question exactly as computed from the events on the topic', async () => {
    for (const { name, hour } of userHours()) {
      const want = expected(name, hour);
      const path = `/api/users/${encodeURIComponent(name)}/hours/${hourIso(hour)}`;
      const stats = await get<HourlyStats>(`${path}/stats`);
      expect({
        name: stats.name,
        count: stats.count,
        sum: stats.sum,
        min: stats.min,
        max: stats.max,
        histogram: stats.histogram,
      }).toEqual({
        name,
        ...want,
      });
      const avg = await get<{ average: number; count: number }>(`${path}/average`);
      expect(avg.count).toBe(want.count);
      expect(avg.average).toBeCloseTo(want.sum / want.count, 9);
      const movies: Array<{ movie: string; rating: number; time: string }> = [];
      let pageState: string | undefined;
      do {
        const page = await get<{ movies: typeof movies; pageState?: string }>(
          `${path}/movies?limit=7${pageState ? `&pageState=${encodeURIComponent(pageState)}` : ''}`,
        );
        movies.push(...page.movies);
        pageState = page.pageState;
      } while (pageState);
      const mine = [...seen.values()]
        .filter((r) => r.name === name && hourStart(r.time) === hour)
        .sort((a, b) => a.time - b.time || a.id.localeCompare(b.id));
      expect(movies.map((m) => [m.movie, m.rating, Date.parse(m.time)])).toEqual(
        mine.map((r) => [r.movie, r.rating, r.time]),
      );
    }
    const now = hourStart(Date.now());
    const users = await get<{ users: string[] }>(`/api/hours/${hourIso(now)}/users`);
    expect([...users.users].sort()).toEqual(
      userHours()
        .filter((u) => u.hour === now)
        .map((u) => u.name)
        .sort(),
    );
    const name = subscribed[0];
    const range = await get<{ hours: HourlyStats[] }>(
      `/api/users/${encodeURIComponent(name)}/hours?from=${hourIso(now - 3 * 3_600_000)}&to=${hourIso(now)}`,
    );
    for (const h of range.hours.filter((x) => x.count > 0))
      expect(h.count).toBe(expected(name, Date.parse(h.hour)).count);
  });

  it('pushed the final stats of each subscribed user over the socket', async () => {
    for (const name of subscribed) {
      for (const { hour } of userHours().filter((u) => u.name === name)) {
        const want = expected(name, hour);
        await waitFor(`a push for ${name} ${hourIso(hour)}`, () =>
          Promise.resolve(pushes.get(`${name}|${hour}`)?.count === want.count),
        );
        const s = pushes.get(`${name}|${hour}`)!;
        expect({ count: s.count, sum: s.sum, min: s.min, max: s.max, histogram: s.histogram }).toEqual(want);
      }
    }
  });

  it('reported the pipeline’s health over the socket as the test saw it', async () => {
    await waitFor('a health event after the last flush', () =>
      Promise.resolve(health.some((h) => h.lag.total === 0 && h.lastFlush !== null)),
    );
    const last = health[health.length - 1];
    expect(last.services).toEqual({ kafka: 'up', cassandra: 'up', consumer: 'up', producer: 'up', query: 'up' });
    expect(last.lag.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    // The dead letters the test itself read from the DLQ, all published within the same minute.
    expect(Math.max(...health.map((h) => h.deadLetters.perMinute))).toBe(dlq.length);
    const reasons = new Set(health.flatMap((h) => h.deadLetters.latest.map((l) => l.reason)));
    expect([...reasons].sort()).toEqual([...new Set(dlq.map((h) => deadLetterReason(h[DLQ_HEADERS.error])))].sort());
    // Flushes every second (BATCH_INTERVAL_MS=1000): the last one is recent and covered ratings.
    const flushes = health.filter((h) => h.lastFlush);
    expect(Math.max(...flushes.map((h) => h.lastFlush!.ratings))).toBeGreaterThan(0);
    const fresh = health.filter((h) => h.freshness).map((h) => h.freshness!);
    expect(fresh.length).toBeGreaterThan(0);
    for (const f of fresh) {
      expect(f.p50Ms).toBeLessThanOrEqual(f.p99Ms);
      // A batch opens with its first rating and closes a second later; its stats follow the write.
      expect(f.p50Ms).toBeGreaterThan(0);
      expect(f.p99Ms).toBeLessThan(30_000);
    }
    expect(Math.max(...health.map((h) => h.ratingsIn))).toBeGreaterThan(0);
    expect(Math.max(...health.map((h) => h.ratingsWritten ?? 0))).toBeGreaterThan(0);
  });

  it('shows the same numbers on the dashboard in headless Chromium', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`${query.url}/`);
      const name = subscribed[0];
      await page.fill('#user-search', name);
      await page.press('#user-search', 'Enter');
      const want = expected(name, hourStart(Date.now()));
      await page.waitForFunction(
        ([count]) => document.querySelector('#current-count')?.textContent === String(count),
        [want.count],
        { timeout: 20_000 },
      );
      expect(await page.textContent('#current-average')).toBe((want.sum / want.count).toFixed(2));
      await page.waitForTimeout(1500); // let the charts finish animating before the screenshot
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: resolve(ARTIFACTS, 'e2e-dashboard.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
