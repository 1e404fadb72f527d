import { Injectable } from '@nestjs/common';
import { CassandraSession, Row, USERS_BY_HOUR_BUCKETS } from '@reeltime/cassandra';
import { RATING_MAX, StatsAggregate } from '@reeltime/contracts';
import { errors, types } from 'cassandra-driver';
import { QueryError } from '../api/query-error';
import { PAGE_STATE_FORMAT } from '../api/validation';
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

export interface UsersPage {
  users: string[];
  /** Opaque token for the next page; absent on the last page. */
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
  /**
   * One page of the users who rated in the hour, optionally only names starting with `prefix`.
   * Sorted within the page; pages follow the table's order (bucket by bucket), not one global order.
   */
  abstract usersPage(hour: number, limit: number, prefix?: string, pageState?: string): Promise<UsersPage>;
}

const CQL = {
  countAndSum: 'SELECT COUNT(*) AS count, SUM(rating) AS sum FROM records WHERE name = ? AND hour = ?',
  movies: 'SELECT movie, rating, time FROM records WHERE name = ? AND hour = ?',
  hourStats:
    'SELECT hour, count, sum, min, max, histogram, updated_at FROM user_hour_stats WHERE name = ? AND hour = ?',
  hourRange:
    'SELECT hour, count, sum, min, max, histogram, updated_at FROM user_hour_stats WHERE name = ? AND hour >= ? AND hour <= ?',
  // One statement over the hour's 16 buckets, so that the driver's page state covers all of them.
  users: 'SELECT name FROM users_by_hour WHERE hour = ? AND bucket IN ?',
  usersWithPrefix: 'SELECT name FROM users_by_hour WHERE hour = ? AND bucket IN ? AND name >= ? AND name < ?',
  usersFrom: 'SELECT name FROM users_by_hour WHERE hour = ? AND bucket IN ? AND name >= ?',
} as const;

const ALL_BUCKETS = Array.from({ length: USERS_BY_HOUR_BUCKETS }, (_, bucket) => bucket);

/**
 * The least text greater than every text that starts with `prefix` (Cassandra compares text as UTF-8
 * bytes, which is code point order): the last code point raised by one, or dropped when it is the
 * highest. undefined when there is none (every text from `prefix` on matches).
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = [...prefix].map((c) => c.codePointAt(0)!);
  while (points.length > 0) {
    let last = points.pop()! + 1;
    if (last === 0xd800) last = 0xe000; // surrogates are not characters
    if (last <= 0x10ffff) return String.fromCodePoint(...points, last);
  }
  return undefined;
}

const badPageState = () => new QueryError('bad_request', 'pageState is not a valid page state', { field: 'pageState' });

/** The API's page state (base64url) to the driver's (hex); a malformed one is the client's fault. */
function driverPageState(pageState: string | undefined): string | undefined {
  if (pageState === undefined) return undefined;
  if (!PAGE_STATE_FORMAT.test(pageState)) throw badPageState();
  return Buffer.from(pageState, 'base64url').toString('hex');
}

const apiPageState = (driverState: string | undefined) =>
  driverState ? Buffer.from(driverState, 'hex').toString('base64url') : undefined;

/**
 * Cassandra's answer to a page state it did not issue: a protocol error ("Invalid value for the paging
 * state"), or an invalid request where the state decodes but does not fit the statement.
 */
const PAGE_STATE_REFUSALS: ReadonlySet<number> = new Set([
  types.responseErrorCodes.protocolError,
  types.responseErrorCodes.invalid,
]);
const refusedPageState = (err: unknown): boolean =>
  err instanceof errors.ResponseError && PAGE_STATE_REFUSALS.has(err.code);

/** Reads one page, translating Cassandra's refusal of a page state it did not issue into a 400. */
async function readPage(
  session: CassandraSession,
  cql: string,
  params: unknown[],
  limit: number,
  driverState: string | undefined,
  readTimeoutMs: number,
) {
  try {
    return await session.page(cql, params, limit, driverState, { readTimeoutMs });
  } catch (err) {
    if (driverState !== undefined && refusedPageState(err)) throw badPageState();
    throw err;
  }
}

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

  async moviesPage(name: string, hour: number, limit: number, pageState?: string): Promise<MoviesPage> {
    const driverState = driverPageState(pageState); // a QueryError here rejects the returned promise
    return this.deadline.run(async (readTimeoutMs) => {
      const page = await readPage(this.session, CQL.movies, [name, new Date(hour)], limit, driverState, readTimeoutMs);
      return {
        movies: page.rows.map((r) => ({
          movie: r.get('movie') as string,
          rating: r.get('rating') as number,
          time: (r.get('time') as Date).toISOString(),
        })),
        pageState: apiPageState(page.pageState),
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

  async usersPage(hour: number, limit: number, prefix?: string, pageState?: string): Promise<UsersPage> {
    const driverState = driverPageState(pageState); // a QueryError here rejects the returned promise
    const at = new Date(hour);
    const end = prefix ? prefixEnd(prefix) : undefined;
    const [cql, params] = !prefix
      ? [CQL.users, [at, ALL_BUCKETS]]
      : end === undefined // a prefix of only U+10FFFF: nothing sorts after its names
        ? [CQL.usersFrom, [at, ALL_BUCKETS, prefix]]
        : [CQL.usersWithPrefix, [at, ALL_BUCKETS, prefix, end]];
    return this.deadline.run(async (readTimeoutMs) => {
      const page = await readPage(this.session, cql, params, limit, driverState, readTimeoutMs);
      return {
        users: page.rows.map((r) => r.get('name') as string).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
        pageState: apiPageState(page.pageState),
      };
    });
  }
}
