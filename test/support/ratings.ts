import { randomUUID } from 'node:crypto';
import { AppConfig } from '@reeltime/config';
import { CassandraSession } from '@reeltime/cassandra';
import { HOUR_MS, Rating, StatsAggregate, encodeRatingEvent } from '@reeltime/contracts';
import { KafkaConnection, Producer } from '@reeltime/kafka';
import { Client } from 'cassandra-driver';
import { TRENDING_BUCKETS, clientOptions } from '@reeltime/cassandra';
import { aggregateOf, expectedOf } from './exactness';

import { prng } from '@reeltime/runtime';

export { prng };

export interface GenerateOptions {
  users: number;
  count: number;
  seed?: number;
  /** Fraction of events with a time in an earlier hour (late data). */
  lateFraction?: number;
  now?: number;
}

export function generateRatings(o: GenerateOptions): Rating[] {
  const rnd = prng(o.seed ?? 1);
  const now = o.now ?? Date.now();
  return Array.from({ length: o.count }, (_, i) => {
    const late = rnd() < (o.lateFraction ?? 0);
    return {
      id: randomUUID(),
      name: `user ${Math.floor(rnd() * o.users)}`,
      movie: `Movie ${Math.floor(rnd() * 50)} (${1950 + Math.floor(rnd() * 70)})`,
      rating: 1 + Math.floor(rnd() * 10),
      time: late ? now - HOUR_MS - Math.floor(rnd() * HOUR_MS) : now - 1000 + (i % 1000),
    };
  });
}

/** Publishes test events to the ratings topic as the producer would (key = name). */
export class Feeder {
  private producer?: Producer;
  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {}

  async send(ratings: Rating[], chunk = 2000): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.createProducer({ idempotent: true });
      await this.producer.connect();
    }
    for (let i = 0; i < ratings.length; i += chunk) {
      await this.producer.send({
        topic: this.config.kafka.topics.ratings,
        acks: -1,
        messages: ratings.slice(i, i + chunk).map((r) => ({ key: r.name, value: encodeRatingEvent(r) })),
      });
    }
  }

  async sendRaw(messages: Array<{ key: string | Buffer | null; value: string | Buffer | null }>): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.createProducer({ idempotent: true });
      await this.producer.connect();
    }
    await this.producer.send({ topic: this.config.kafka.topics.ratings, acks: -1, messages });
  }
}

/** What the stats must be: the aggregate over distinct event ids per (user, hour). */
export function expectedStats(ratings: Rating[]): Map<string, StatsAggregate> {
  return expectedOf(ratings).stats;
}

/** What trending must hold: per (minute, movie), the count and sum of the distinct events. */
export function expectedTrending(ratings: Rating[]): Map<string, { count: number; sum: number }> {
  return expectedOf(ratings).trending;
}

/** The trending rows of these minutes, added up per (minute, movie) as the query service does. */
export async function readTrending(
  cql: Client,
  minutes: Iterable<number>,
): Promise<Map<string, { count: number; sum: number }>> {
  const out = new Map<string, { count: number; sum: number }>();
  for (const minute of minutes) {
    for (let bucket = 0; bucket < TRENDING_BUCKETS; bucket++) {
      const rs = await cql.execute(
        'SELECT movie, count, sum FROM movie_counts_by_minute WHERE minute = ? AND bucket = ?',
        [new Date(minute), bucket],
        { prepare: true, fetchSize: 10_000 },
      );
      for (const row of rs.rows) {
        const count = row.get('count') as number;
        if (count === 0) continue;
        const key = `${minute}|${row.get('movie') as string}`;
        const t = out.get(key) ?? { count: 0, sum: 0 };
        out.set(key, { count: t.count + count, sum: t.sum + (row.get('sum') as number) });
      }
    }
  }
  return out;
}

export interface StoredState {
  /** Rows in records per (user, hour). */
  rows: Map<string, number>;
  /** Aggregate over the raw rows per (user, hour). */
  rawAggregates: Map<string, StatsAggregate>;
  /** The user_hour_stats rows. */
  stats: Map<string, StatsAggregate>;
  /** Trending counts per (minute, movie), when read. */
  trending?: Map<string, { count: number; sum: number }>;
}

/** Reads back what the pipeline stored for the given (user, hour) keys. */
export async function readStored(session: CassandraSession | Client, keys: Iterable<string>): Promise<StoredState> {
  const exec = async (cql: string, params: unknown[]) =>
    session instanceof Client
      ? (await session.execute(cql, params, { prepare: true })).rows
      : await session.all(cql, params);
  const state: StoredState = { rows: new Map(), rawAggregates: new Map(), stats: new Map() };
  const all = [...keys];
  const readOne = async (key: string): Promise<void> => {
    const [name, hour] = key.split('|');
    const h = new Date(Number(hour));
    const rows = await exec('SELECT rating FROM records WHERE name = ? AND hour = ?', [name, h]);
    state.rows.set(key, rows.length);
    state.rawAggregates.set(key, aggregateOf(rows.map((r) => r.get('rating') as number)));
    const stats = await exec(
      'SELECT count, sum, min, max, histogram FROM user_hour_stats WHERE name = ? AND hour = ?',
      [name, h],
    );
    if (stats.length) {
      const s = stats[0];
      state.stats.set(key, {
        count: s.get('count') as number,
        sum: s.get('sum') as number,
        min: s.get('min') as number | null,
        max: s.get('max') as number | null,
        histogram: s.get('histogram') as number[],
      });
    }
  };
  for (let i = 0; i < all.length; i += 32) await Promise.all(all.slice(i, i + 32).map(readOne));
  return state;
}

/** A driver session bound to the test keyspace, for checks from outside the services. */
export async function connectKeyspace(config: AppConfig): Promise<Client> {
  const client = new Client(clientOptions(config.cassandra, config.cassandra.keyspace));
  await client.connect();
  return client;
}

/** Kept here for the tests that import it from this module; the checks live in exactness.ts. */
export { waitForExact } from './exactness';
