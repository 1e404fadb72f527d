import { Injectable } from '@nestjs/common';
import { CassandraSession, Row, USERS_BY_HOUR_BUCKETS } from '@reeltime/cassandra';
import { RATING_MAX, StatsAggregate } from '@reeltime/contracts';
import { QueryError } from '../api/query-error';
import { ReadDeadline } from '../platform/read-deadline';

export interface StoredHourStats extends StatsAggregate {
  hour: number;
  updatedAt: number;
}

export interface MovieRating {
  movie: string;
  rating: number;
  time: string;
}

export interface MoviesPage {
  movies: MovieRating[];
  /** Opaque token for the next page (base64url of the driver's page state); absent on the last page. */
  pageState?: string;
}

/** Reads of the per-user tables (records, user_hour_stats, users_by_hour). */
export abstract class StatsRepository {
  /** count and sum of one user's ratings in one hour, straight from `records`. */
  abstract countAndSum(name: string, hour: number): Promise<{ count: number; sum: number }>;
  abstract moviesPage(name: string, hour: number, limit: number, pageState?: string): Promise<MoviesPage>;
  abstract hourStats(name: string, hour: number): Promise<StoredHourStats | undefined>;
  /** Stats rows from `from` to `to` (both included), oldest first. */
  abstract hourRange(name: string, from: number, to: number): Promise<StoredHourStats[]>;
  /** Every user who rated in the hour, sorted. */
  abstract usersInHour(hour: number): Promise<string[]>;
}

const CQL = {
  countAndSum: 'SELECT COUNT(*) AS count, SUM(rating) AS sum FROM records WHERE name = ? AND hour = ?',
  movies: 'SELECT movie, rating, time FROM records WHERE name = ? AND hour = ?',
  hourStats:
    'SELECT hour, count, sum, min, max, histogram, updated_at FROM user_hour_stats WHERE name = ? AND hour = ?',
  hourRange:
    'SELECT hour, count, sum, min, max, histogram, updated_at FROM user_hour_stats WHERE name = ? AND hour >= ? AND hour <= ?',
  usersInBucket: 'SELECT name FROM users_by_hour WHERE hour = ? AND bucket = ?',
} as const;

const PAGE_STATE = /^[A-Za-z0-9_-]{1,8192}$/;

function toStats(row: Row): StoredHourStats {
  const histogram = new Array<number>(RATING_MAX).fill(0);
  const stored = (row.get('histogram') as number[] | null) ?? [];
  stored.slice(0, RATING_MAX).forEach((n, i) => (histogram[i] = n ?? 0));
  const count = Number(row.get('count') ?? 0);
  return {
    hour: (row.get('hour') as Date).getTime(),
    count,
    sum: Number(row.get('sum') ?? 0),
    min: count === 0 ? null : (row.get('min') as number | null),
    max: count === 0 ? null : (row.get('max') as number | null),
    histogram,
    updatedAt: (row.get('updated_at') as Date | null)?.getTime() ?? 0,
  };
}

@Injectable()
export class CassandraStatsRepository extends StatsRepository {
  constructor(
    private readonly session: CassandraSession,
    private readonly deadline: ReadDeadline,
  ) {
    super();
  }

  countAndSum(name: string, hour: number): Promise<{ count: number; sum: number }> {
    return this.deadline.run(async (readTimeoutMs) => {
      const [row] = await this.session.execute(CQL.countAndSum, [name, new Date(hour)], { readTimeoutMs });
      return { count: Number(row?.get('count') ?? 0), sum: Number(row?.get('sum') ?? 0) };
    });
  }

  moviesPage(name: string, hour: number, limit: number, pageState?: string): Promise<MoviesPage> {
    let driverState: string | undefined;
    if (pageState !== undefined) {
      if (!PAGE_STATE.test(pageState)) {
        return Promise.reject(new QueryError('bad_request', 'pageState', 'pageState is not a valid page state'));
      }
      driverState = Buffer.from(pageState, 'base64url').toString('hex');
    }
    return this.deadline.run(async (readTimeoutMs) => {
      let page;
      try {
        page = await this.session.page(CQL.movies, [name, new Date(hour)], limit, driverState, { readTimeoutMs });
      } catch (err) {
        // Cassandra refuses a page state that it did not issue (or that was cut): the client's fault.
        if (driverState !== undefined && /paging state|page state|ProtocolError|Invalid/i.test(String(err))) {
          throw new QueryError('bad_request', 'pageState', 'pageState is not a valid page state');
        }
        throw err;
      }
      return {
        movies: page.rows.map((r) => ({
          movie: r.get('movie') as string,
          rating: r.get('rating') as number,
          time: (r.get('time') as Date).toISOString(),
        })),
        pageState: page.pageState ? Buffer.from(page.pageState, 'hex').toString('base64url') : undefined,
      };
    });
  }

  hourStats(name: string, hour: number): Promise<StoredHourStats | undefined> {
    return this.deadline.run(async (readTimeoutMs) => {
      const [row] = await this.session.execute(CQL.hourStats, [name, new Date(hour)], { readTimeoutMs });
      return row ? toStats(row) : undefined;
    });
  }

  hourRange(name: string, from: number, to: number): Promise<StoredHourStats[]> {
    return this.deadline.run(async (readTimeoutMs) => {
      const rows = await this.session.all(CQL.hourRange, [name, new Date(from), new Date(to)], 200, { readTimeoutMs });
      // The table is clustered newest first (the chart's usual read); the API answers oldest first.
      return rows.map(toStats).sort((a, b) => a.hour - b.hour);
    });
  }

  usersInHour(hour: number): Promise<string[]> {
    const at = new Date(hour);
    return this.deadline.run(async (readTimeoutMs) => {
      const buckets = await Promise.all(
        Array.from({ length: USERS_BY_HOUR_BUCKETS }, (_, bucket) =>
          this.session.all(CQL.usersInBucket, [at, bucket], 5000, { readTimeoutMs }),
        ),
      );
      return buckets
        .flat()
        .map((r) => r.get('name') as string)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    });
  }
}
