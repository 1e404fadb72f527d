import { INestApplication } from '@nestjs/common';
import { DLQ_HEADERS, HourlyStats, Rating, hourStart } from '@reeltime/contracts';
import { KafkaConnection } from '@reeltime/kafka';
import { Client } from 'cassandra-driver';
import { bootstrap } from '../../apps/consumer/src/bootstrap';
import { waitFor } from '../support/app';
import { testNamespace } from '../support/namespace';
import {
  Feeder,
  connectKeyspace,
  expectedStats,
  expectedTrending,
  generateRatings,
  readStored,
  readTrending,
} from '../support/ratings';

describe('consumer pipeline on real Kafka and Cassandra', () => {
  const ns = testNamespace('pipeline', { BATCH_INTERVAL_MS: '500', KAFKA_PARTITIONS: '3' });
  let app: INestApplication;
  let kafka: KafkaConnection;
  let cql: Client;
  let feeder: Feeder;
  const now = Date.now();
  const events: Rating[] = generateRatings({ users: 15, count: 600, seed: 7, lateFraction: 0.2, now });
  const duplicates = events.slice(0, 120);
  const poison: Array<{ key: string | null; value: string | null; reason: RegExp }> = [
    { key: 'x', value: '{"id": nope', reason: /not valid JSON/ },
    { key: 'x', value: JSON.stringify({ ...events[0], id: 'not-a-uuid' }), reason: /id must be a UUID/ },
    {
      key: 'user 1',
      value: JSON.stringify({ ...events[1], name: 'user 1', rating: 11 }),
      reason: /rating must be from 1 to 10/,
    },
    { key: 'user 1', value: JSON.stringify({ ...events[2], name: 'user 1', movie: undefined }), reason: /movie/ },
    {
      key: 'user 1',
      value: JSON.stringify({ ...events[3], name: 'user 1', time: now + 3_600_000 }),
      reason: /in the future/,
    },
    {
      key: 'someone else',
      value: JSON.stringify({ ...events[4], id: '5b8e7a3e-0b0c-4f5e-9a51-0a7d2f1e3c11' }),
      reason: /key must be the user name/,
    },
    { key: 'x', value: null, reason: /no value/ },
  ];

  beforeAll(async () => {
    await ns.migrate();
    app = await bootstrap(ns.env);
    kafka = app.get(KafkaConnection);
    cql = await connectKeyspace(ns.config);
    feeder = new Feeder(kafka, ns.config);
    await feeder.send(events);
    await feeder.sendRaw(poison.map(({ key, value }) => ({ key, value })));
    await feeder.send(duplicates);
  });
  afterAll(async () => {
    await app.close();
    await cql.shutdown();
    await ns.drop();
  });

  it('stores one row per distinct event and exact stats, including late events in their own hour', async () => {
    const expected = expectedStats(events);
    expect([...expected.keys()].some((k) => Number(k.split('|')[1]) < hourStart(now))).toBe(true);
    const stored = await waitFor('exact stats for every (user, hour)', async () => {
      const s = await readStored(cql, expected.keys());
      return [...expected].every(([k, v]) => JSON.stringify(s.stats.get(k)) === JSON.stringify(v)) ? s : undefined;
    });
    for (const [key, agg] of expected) {
      expect(stored.rows.get(key)).toBe(agg.count);
      expect(stored.stats.get(key)).toEqual(stored.rawAggregates.get(key));
    }
  });

  it('keeps the trending counts per (minute, movie) equal to the distinct events, repeated ids counted once', async () => {
    const expected = expectedTrending([...events, ...duplicates]);
    const minutes = new Set([...expected.keys()].map((k) => Number(k.split('|')[0])));
    const stored = await waitFor('exact trending counts', async () => {
      const t = await readTrending(cql, minutes);
      return t.size === expected.size && [...expected].every(([k, v]) => JSON.stringify(t.get(k)) === JSON.stringify(v))
        ? t
        : undefined;
    });
    expect(stored.size).toBe(expected.size);
  });

  it('sends every poison message to the DLQ with the reason and its source, and carries on', async () => {
    const consumer = kafka.createConsumer({ groupId: `${ns.id}.dlq-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: ns.config.kafka.topics.dlq, fromBeginning: true });
    const got: Array<{ key: string | null; value: string | null; headers: Record<string, string> }> = [];
    await consumer.run({
      eachMessage: ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        got.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers });
        return Promise.resolve();
      },
    });
    await waitFor('all poison messages in the DLQ', () => Promise.resolve(got.length >= poison.length));
    await consumer.disconnect();
    expect(got).toHaveLength(poison.length);
    for (const p of poison) {
      const letter = got.find((g) => g.value === p.value && g.key === p.key);
      expect(letter).toBeDefined();
      expect(letter!.headers[DLQ_HEADERS.error]).toMatch(p.reason);
      expect(letter!.headers[DLQ_HEADERS.sourceTopic]).toBe(ns.config.kafka.topics.ratings);
      expect(Number(letter!.headers[DLQ_HEADERS.sourcePartition])).toBeGreaterThanOrEqual(0);
      expect(Number(letter!.headers[DLQ_HEADERS.sourceOffset])).toBeGreaterThanOrEqual(0);
    }
  });

  it("answers the reference design's two CQL queries", async () => {
    const current = events.filter((e) => hourStart(e.time) === hourStart(now));
    const name = current[0].name;
    const mine = current.filter((e) => e.name === name).sort((a, b) => a.time - b.time || a.id.localeCompare(b.id));
    const hour = new Date(hourStart(now)).toISOString().replace('T', ' ').replace('.000Z', '+0000');
    const ks = ns.config.cassandra.keyspace;
    const avg = await cql.execute(`SELECT AVG(rating) FROM ${ks}.records WHERE name = '${name}' AND hour = '${hour}'`);
    // CQL's AVG over an int column is an int (truncated), as cqlsh shows it.
    expect(avg.rows[0].get(0)).toBe(Math.trunc(mine.reduce((s, e) => s + e.rating, 0) / mine.length));
    const movies = await cql.execute(`SELECT movie FROM ${ks}.records WHERE name = '${name}' AND hour = '${hour}'`);
    expect(movies.rows.map((r) => r.get('movie') as string)).toEqual(mine.map((e) => e.movie));
  });

  it('commits the offsets of everything it wrote, poison messages included', async () => {
    const lag = await waitFor('zero lag', async () => {
      const l = await kafka.lag(ns.config.kafka.consumerGroup, ns.config.kafka.topics.ratings);
      return l.every((p) => p.lag === 0) ? l : undefined;
    });
    expect(lag.reduce((s, p) => s + p.end, 0)).toBe(events.length + poison.length + duplicates.length);
  });

  it('publishes the final stats of each (user, hour) it touched on the stats topic', async () => {
    const expected = expectedStats(events);
    const consumer = kafka.createConsumer({ groupId: `${ns.id}.stats-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: ns.config.kafka.topics.stats, fromBeginning: true });
    const latest = new Map<string, HourlyStats>();
    await consumer.run({
      eachMessage: ({ message }) => {
        const s = JSON.parse(String(message.value)) as HourlyStats;
        expect(message.key?.toString()).toBe(s.name);
        latest.set(`${s.name}|${Date.parse(s.hour)}`, s);
        return Promise.resolve();
      },
    });
    await waitFor('a stats message per (user, hour)', () =>
      Promise.resolve([...expected].every(([k, v]) => latest.get(k)?.count === v.count)),
    );
    await consumer.disconnect();
    for (const [key, agg] of expected) {
      const s = latest.get(key)!;
      expect({ count: s.count, sum: s.sum, min: s.min, max: s.max, histogram: s.histogram }).toEqual(agg);
      expect(s.average).toBeCloseTo(agg.sum / agg.count, 10);
    }
  });
});
