import { Injectable } from '@nestjs/common';
import { CassandraSession, TRENDING_BUCKETS } from '@reeltime/cassandra';
import { ReadDeadline } from '../platform/read-deadline';
import { MovieTally } from './trending';

/** Reads of `movie_counts_by_minute`. */
export abstract class TrendingRepository {
  /** Per-movie count and sum of every bucket of these minutes. */
  abstract tallies(minutes: number[]): Promise<MovieTally[]>;
}

// A movie has a row per Kafka partition its ratings came from; GROUP BY the first clustering column
// lets Cassandra add those up, so one row per movie and partition crosses the network.
const TALLY_CQL =
  'SELECT movie, SUM(count) AS count, SUM(sum) AS sum FROM movie_counts_by_minute WHERE minute = ? AND bucket = ? GROUP BY movie';

/** At most this many partition reads in flight: a 24 h window is 11,520 partitions. */
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
   * A long window is thousands of partition reads, which may rightly take longer than
   * QUERY_READ_TIMEOUT_MS in all; so the time limit applies to each read, not to the answer. A node
   * that does not answer still fails the first reads within that limit, and then no further read starts.
   */
  async tallies(minutes: number[]): Promise<MovieTally[]> {
    const partitions = minutes.flatMap((m) => Array.from({ length: TRENDING_BUCKETS }, (_, b) => [new Date(m), b]));
    const readTimeoutMs = this.deadline.ms;
    const out: MovieTally[] = [];
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < partitions.length && !failed) {
        const params = partitions[next++];
        try {
          const rows = await this.session.all(TALLY_CQL, params, 1000, { readTimeoutMs });
          for (const r of rows) {
            out.push({
              movie: r.get('movie') as string,
              count: Number(r.get('count')),
              sum: Number(r.get('sum') ?? 0),
            });
          }
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, partitions.length) }, worker));
    return out;
  }
}
