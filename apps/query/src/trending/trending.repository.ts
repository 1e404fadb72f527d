import { Injectable } from '@nestjs/common';
import { CassandraSession, TRENDING_BUCKETS } from '@reeltime/cassandra';
import { MovieTally } from './trending';

/** Reads of `movie_ratings_by_minute`. */
export abstract class TrendingRepository {
  /** Per-movie count and sum of every bucket of these minutes. */
  abstract tallies(minutes: number[]): Promise<MovieTally[]>;
}

// GROUP BY the first clustering column lets Cassandra add up each partition, so only one row per
// movie and partition crosses the network instead of one per rating.
const TALLY_CQL =
  'SELECT movie, COUNT(*) AS count, SUM(rating) AS sum FROM movie_ratings_by_minute WHERE minute = ? AND bucket = ? GROUP BY movie';

/** At most this many partition reads in flight: a 24 h window is 11,520 partitions. */
const CONCURRENCY = 32;

@Injectable()
export class CassandraTrendingRepository extends TrendingRepository {
  constructor(private readonly session: CassandraSession) {
    super();
  }

  async tallies(minutes: number[]): Promise<MovieTally[]> {
    const partitions = minutes.flatMap((m) => Array.from({ length: TRENDING_BUCKETS }, (_, b) => [new Date(m), b]));
    const out: MovieTally[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < partitions.length) {
        const params = partitions[next++];
        const rows = await this.session.all(TALLY_CQL, params, 1000);
        for (const r of rows) {
          out.push({ movie: r.get('movie') as string, count: Number(r.get('count')), sum: Number(r.get('sum') ?? 0) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, partitions.length) }, worker));
    return out;
  }
}
