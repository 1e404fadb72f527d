import { Rating, StatsAggregate } from '@reeltime/contracts';

export interface StoredRow {
  time: number;
  id: string;
  rating: number;
}

/**
 * The consumer's port to Cassandra. Every write is an upsert keyed by the event (or by user and hour),
 * so repeating any of them after a failure or a redelivery changes nothing.
 */
export abstract class RatingsStore {
  /** Upserts one user's ratings for one hour into `records` (single-partition unlogged batches). */
  abstract writeRecords(name: string, hour: number, ratings: Rating[]): Promise<void>;
  /** Every (time, id, rating) row of one user's hour. */
  abstract readHour(name: string, hour: number): Promise<StoredRow[]>;
  /** The rating stored for one row, if the row exists. */
  abstract readRating(name: string, hour: number, time: number, id: string): Promise<number | undefined>;
  abstract writeStats(name: string, hour: number, stats: StatsAggregate, updatedAt: number): Promise<void>;
  abstract markActive(name: string, hour: number): Promise<void>;
  /** Upserts the per-movie rows that trending is computed from. */
  abstract writeTrending(ratings: Rating[]): Promise<void>;
}
