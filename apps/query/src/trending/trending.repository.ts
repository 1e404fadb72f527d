import { Injectable } from '@nestjs/common';
import { CassandraSession, TRENDING_BUCKETS, TRENDING_HOUR_BUCKETS } from '@reeltime/cassandra';
import { mapLimit } from '@reeltime/runtime';
import { ReadDeadline } from '../platform/read-deadline';
import { MovieTally, WindowRows } from './trending';

/** Reads of `movie_counts_by_minute` and `movie_counts_by_hour`. */
export abstract class TrendingRepository {
  /** Per-movie count and sum of every bucket of these minutes (or hours). */
  abstract tallies(rows: WindowRows): Promise<MovieTally[]>;
}

// A movie has a row per Kafka partition its ratings came from; GROUP BY the first clustering column
// lets Cassandra add those up, so one row per movie and partition crosses the network.
const TALLY_CQL = {
  minute:
    'SELECT movie, SUM(count) AS count, SUM(sum) AS sum FROM movie_counts_by_minute WHERE minute = ? AND bucket = ? GROUP BY movie',
  hour: 'SELECT movie, SUM(count) AS count, SUM(sum) AS sum FROM movie_counts_by_hour WHERE hour = ? AND bucket = ? GROUP BY movie',
} as const;
const BUCKETS = { minute: TRENDING_BUCKETS, hour: TRENDING_HOUR_BUCKETS } as const;

/** At most this many partition reads in flight (a window reads at most 100). */
const CONCURRENCY = 32;

@Injectable()
export class CassandraTrendingRepository extends TrendingRepository {
  constructor(
    private readonly session: CassandraSession,
    private readonly deadline: ReadDeadline,
  ) {
    super();
  }

  /**
   * A window is up to 100 partition reads, which may rightly take longer than QUERY_READ_TIMEOUT_MS
   * in all; so the time limit applies to each read, not to the answer. A node
   * that does not answer still fails the first reads within that limit, and then no further read starts.
   */
  async tallies({ span, starts }: WindowRows): Promise<MovieTally[]> {
    const partitions = starts.flatMap((m) => Array.from({ length: BUCKETS[span] }, (_, b) => [new Date(m), b]));
    const readTimeoutMs = this.deadline.ms;
    const perPartition = await mapLimit(partitions, CONCURRENCY, async (params) => {
      const rows = await this.session.all(TALLY_CQL[span], params, 1000, { readTimeoutMs });
      const start = (params[0] as Date).getTime();
      return rows.map((r) => ({
        movie: r.get('movie') as string,
        count: Number(r.get('count')),
        sum: Number(r.get('sum') ?? 0),
        start,
      }));
    });
    return perPartition.flat();
  }
}
