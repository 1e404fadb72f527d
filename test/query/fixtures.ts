import { randomUUID } from 'node:crypto';
import { CassandraSession, bucketOf } from '@reeltime/cassandra';
import { AppConfig } from '@reeltime/config';
import { HourlyStats, Rating, aggregateRatings, hourStart, minuteStart, toHourlyStats } from '@reeltime/contracts';
import { KafkaConnection, Producer } from '@reeltime/kafka';
import { CassandraRatingsStore } from '../../apps/consumer/src/storage/cassandra-ratings.store';

/** The consumer writes each step of a flush unconditionally here (no rebalance to stop it). */
const proceed = (): void => undefined;

/**
 * Writes what the consumer would write, through the consumer's own store (its statements, the real
 * schema), so the query service's tests do not depend on the consumer's pipeline: raw rows, the users
 * of the hour, the trending rows, and the exact stats.
 */
export class PipelineFixture {
  private producer?: Producer;
  private readonly store: CassandraRatingsStore;

  constructor(
    session: CassandraSession,
    config: AppConfig,
    private readonly kafka: KafkaConnection,
    private readonly statsTopic: string,
  ) {
    this.store = new CassandraRatingsStore(session, config);
  }

  static rating(name: string, movie: string, rating: number, time: number): Rating {
    return { id: randomUUID(), name, movie, rating, time };
  }

  async writeRatings(ratings: Rating[]): Promise<void> {
    for (const r of ratings) {
      const hour = hourStart(r.time);
      await this.store.writeRecords([{ name: r.name, hour, ratings: [r] }], proceed);
      await this.store.markActive([{ name: r.name, hour }]);
      // The trending rows, per minute and per hour: this movie's count and sum there, for the Kafka
      // partition the user's events would sit in (read, add one, write back).
      const source = bucketOf(r.name, 6);
      for (const [span, start] of [
        ['minute', minuteStart(r.time)],
        ['hour', hour],
      ] as const) {
        const counted = (await this.store.readMovieCounts(span, start, source)).find((m) => m.movie === r.movie);
        const { count, sum } = counted ?? { count: 0, sum: 0 };
        const row = { movie: r.movie, count: count + 1, sum: sum + r.rating, countedTo: -1 };
        await this.store.writeMovieCounts(span, start, source, [row]);
      }
    }
  }

  /** Recomputes one (user, hour)'s stats from its `records` rows and stores them, as the consumer does. */
  async writeStats(name: string, hour: number, updatedAt = Date.now()): Promise<HourlyStats> {
    const [rows] = await this.store.readHours([{ name, hour }]);
    const stats = aggregateRatings(rows.map((r) => r.rating));
    await this.store.writeStats([{ name, hour, stats, updatedAt }], proceed);
    return toHourlyStats(name, hour, stats, updatedAt);
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
