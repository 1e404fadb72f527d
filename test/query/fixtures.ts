import { randomUUID } from 'node:crypto';
import {
  CassandraSession,
  USERS_BY_HOUR_BUCKETS,
  bucketOf,
  trendingBucketOf,
  trendingHourBucketOf,
} from '@reeltime/cassandra';
import { HourlyStats, Rating, aggregateRatings, hourStart, minuteStart, toHourlyStats } from '@reeltime/contracts';
import { KafkaConnection, Producer } from '@reeltime/kafka';

/**
 * Writes what the consumer would write, with the real schema, so the query service's tests do not
 * depend on the consumer: raw rows, the users of the hour, the trending rows, and the exact stats.
 */
export class PipelineFixture {
  private producer?: Producer;

  constructor(
    private readonly session: CassandraSession,
    private readonly kafka: KafkaConnection,
    private readonly statsTopic: string,
  ) {}

  static rating(name: string, movie: string, rating: number, time: number): Rating {
    return { id: randomUUID(), name, movie, rating, time };
  }

  async writeRatings(ratings: Rating[]): Promise<void> {
    for (const r of ratings) {
      const hour = new Date(hourStart(r.time));
      await this.session.execute(
        'INSERT INTO records (name, hour, time, id, movie, rating) VALUES (?, ?, ?, ?, ?, ?)',
        [r.name, hour, new Date(r.time), r.id, r.movie, r.rating],
      );
      await this.session.execute('INSERT INTO users_by_hour (hour, bucket, name) VALUES (?, ?, ?)', [
        hour,
        bucketOf(r.name, USERS_BY_HOUR_BUCKETS),
        r.name,
      ]);
      // The consumer's trending rows, per minute and per hour: this movie's count and sum there, for the
      // Kafka partition the user's events would sit in (read, add one, write back).
      const source = bucketOf(r.name, 6);
      for (const [table, column, start, bucket] of [
        ['movie_counts_by_minute', 'minute', minuteStart(r.time), trendingBucketOf(source)],
        ['movie_counts_by_hour', 'hour', hourStart(r.time), trendingHourBucketOf(source)],
      ] as const) {
        const key = [new Date(start), bucket, r.movie, source];
        const [row] = await this.session.execute(
          `SELECT count, sum FROM ${table} WHERE ${column} = ? AND bucket = ? AND movie = ? AND source = ?`,
          key,
        );
        await this.session.execute(
          `INSERT INTO ${table} (${column}, bucket, movie, source, count, sum, counted_to) VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [...key, ((row?.get('count') as number) ?? 0) + 1, ((row?.get('sum') as number) ?? 0) + r.rating, -1],
        );
      }
    }
  }

  /** Recomputes one (user, hour)'s stats from its `records` rows and stores them, as the consumer does. */
  async writeStats(name: string, hour: number, updatedAt = Date.now()): Promise<HourlyStats> {
    const rows = await this.session.all('SELECT rating FROM records WHERE name = ? AND hour = ?', [
      name,
      new Date(hour),
    ]);
    const agg = aggregateRatings(rows.map((r) => r.get('rating') as number));
    await this.session.execute(
      'INSERT INTO user_hour_stats (name, hour, count, sum, min, max, histogram, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [name, new Date(hour), agg.count, agg.sum, agg.min, agg.max, agg.histogram, new Date(updatedAt)],
    );
    return toHourlyStats(name, hour, agg, updatedAt);
  }

  /** Publishes stats on the stats topic, key = name, as the consumer does after a commit. */
  async publishStats(stats: HourlyStats[]): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.createProducer();
      await this.producer.connect();
    }
    await this.producer.send({
      topic: this.statsTopic,
      acks: -1,
      messages: stats.map((s) => ({ key: s.name, value: JSON.stringify(s) })),
    });
  }

  /** Rows, then stats, then the message: the consumer's order within one flush. */
  async commit(ratings: Rating[]): Promise<HourlyStats[]> {
    await this.writeRatings(ratings);
    const touched = new Map<string, { name: string; hour: number }>();
    for (const r of ratings)
      touched.set(`${r.name}\u0000${hourStart(r.time)}`, { name: r.name, hour: hourStart(r.time) });
    const stats: HourlyStats[] = [];
    for (const t of touched.values()) stats.push(await this.writeStats(t.name, t.hour));
    await this.publishStats(stats);
    return stats;
  }
}
