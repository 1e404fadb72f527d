import { Rating, StatsAggregate } from '@reeltime/contracts';

/** A row of `records` as the stats need it. */
export interface StoredRow {
  time: number;
  id: string;
  rating: number;
  movie: string;
}

/** The trending tables: `movie_counts_by_minute` and `movie_counts_by_hour`. */
export type CountSpan = 'minute' | 'hour';

/** One trending row: a movie's ratings in one minute (or hour) among one Kafka partition's events. */
export interface MovieCount {
  movie: string;
  count: number;
  sum: number;
  /** The highest offset of that partition counted into the row (-1: none). */
  countedTo: number;
}

/** One (user, hour) partition's rows of `records`. */
export interface HourRows {
  name: string;
  hour: number;
  ratings: Rating[];
}

/** One (user, hour)'s row of `user_hour_stats`. */
export interface HourStatsRow {
  name: string;
  hour: number;
  stats: StatsAggregate;
  updatedAt: number;
}

/**
 * Called before each request of a multi-request write; it throws to stop the write there (e.g. when
 * the partitions moved to another consumer), and the write then rejects with that error.
 */
export type Proceed = () => void;

/**
 * The consumer's port to Cassandra. Every write is an upsert keyed by the event (or by user and hour,
 * or by minute, movie and partition), so repeating any of them after a failure or a redelivery
 * changes nothing.
 */
export abstract class RatingsStore {
  /** Upserts the rows of many (user, hour) partitions into `records`. */
  abstract writeRecords(hours: HourRows[], proceed: Proceed): Promise<void>;
  /** Every row of each of these (user, hour)s, in the order asked. */
  abstract readHours(hours: Array<{ name: string; hour: number }>): Promise<StoredRow[][]>;
  /** One row, if it exists. */
  abstract readRow(name: string, hour: number, time: number, id: string): Promise<StoredRow | undefined>;
  /** Upserts the stats rows of many (user, hour)s. */
  abstract writeStats(rows: HourStatsRow[], proceed: Proceed): Promise<void>;
  /** Marks users active in hours (users_by_hour), all of them or, on failure, some. */
  abstract markActive(users: Array<{ name: string; hour: number }>): Promise<void>;
  /** Every user marked active in an hour (see ActiveUsers). */
  abstract readActive(hour: number): Promise<string[]>;
  /** The trending rows of one minute (or hour: `start` is its first minute) that count the events of one Kafka partition. */
  abstract readMovieCounts(span: CountSpan, start: number, source: number): Promise<MovieCount[]>;
  /** Overwrites trending rows of one minute (or hour) and one Kafka partition. */
  abstract writeMovieCounts(span: CountSpan, start: number, source: number, rows: MovieCount[]): Promise<void>;
}
