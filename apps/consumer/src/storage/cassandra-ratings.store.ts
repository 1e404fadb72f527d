import { Injectable } from '@nestjs/common';
import { CassandraSession, TRENDING_BUCKETS, USERS_BY_HOUR_BUCKETS, bucketOf } from '@reeltime/cassandra';
import { AppConfig } from '@reeltime/config';
import { Rating, StatsAggregate, minuteStart } from '@reeltime/contracts';
import { mapLimit } from './concurrency';
import { RatingsStore, StoredRow } from './ratings.store';

const INSERT_RECORD = 'INSERT INTO records (name, hour, time, id, movie, rating) VALUES (?, ?, ?, ?, ?, ?)';
const SELECT_HOUR = 'SELECT time, id, rating FROM records WHERE name = ? AND hour = ?';
const SELECT_ROW = 'SELECT rating FROM records WHERE name = ? AND hour = ? AND time = ? AND id = ?';
const UPSERT_STATS =
  'INSERT INTO user_hour_stats (name, hour, count, sum, min, max, histogram, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
const INSERT_ACTIVE = 'INSERT INTO users_by_hour (hour, bucket, name) VALUES (?, ?, ?)';
const INSERT_TRENDING =
  'INSERT INTO movie_ratings_by_minute (minute, bucket, movie, id, rating) VALUES (?, ?, ?, ?, ?)';

/**
 * Cassandra warns about batches over 5 KiB (batch_size_warn_threshold) and rejects them at 50 KiB;
 * single-partition batches are cut well under the warning by an estimate of each row's size.
 */
const BATCH_BYTES = 4000;
const rowBytes = (r: Rating): number => 48 + Buffer.byteLength(r.movie);
/** Batches in flight per call; the flush also bounds how many calls run at once. */
const CHUNKS_IN_FLIGHT = 8;

function chunks(ratings: Rating[]): Rating[][] {
  const out: Rating[][] = [];
  let current: Rating[] = [];
  let bytes = 0;
  for (const r of ratings) {
    const size = rowBytes(r);
    if (current.length > 0 && bytes + size > BATCH_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

@Injectable()
export class CassandraRatingsStore extends RatingsStore {
  constructor(
    private readonly session: CassandraSession,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async writeRecords(name: string, hour: number, ratings: Rating[]): Promise<void> {
    const hourDate = new Date(hour);
    await mapLimit(chunks(ratings), CHUNKS_IN_FLIGHT, (chunk) =>
      this.session.batch(
        chunk.map((r) => ({
          query: INSERT_RECORD,
          params: [name, hourDate, new Date(r.time), r.id, r.movie, r.rating],
        })),
      ),
    );
  }

  async readHour(name: string, hour: number): Promise<StoredRow[]> {
    const rows = await this.session.all(SELECT_HOUR, [name, new Date(hour)]);
    return rows.map((row) => ({
      time: (row.get('time') as Date).getTime(),
      id: String(row.get('id')),
      rating: row.get('rating') as number,
    }));
  }

  async readRating(name: string, hour: number, time: number, id: string): Promise<number | undefined> {
    const rows = await this.session.execute(SELECT_ROW, [name, new Date(hour), new Date(time), id]);
    return rows.length ? (rows[0].get('rating') as number) : undefined;
  }

  async writeStats(name: string, hour: number, s: StatsAggregate, updatedAt: number): Promise<void> {
    await this.session.execute(UPSERT_STATS, [
      name,
      new Date(hour),
      s.count,
      s.sum,
      s.min,
      s.max,
      s.histogram,
      new Date(updatedAt),
    ]);
  }

  async markActive(name: string, hour: number): Promise<void> {
    await this.session.execute(INSERT_ACTIVE, [new Date(hour), bucketOf(name, USERS_BY_HOUR_BUCKETS), name]);
  }

  async writeTrending(ratings: Rating[]): Promise<void> {
    const partitions = new Map<string, { minute: Date; bucket: number; ratings: Rating[] }>();
    for (const r of ratings) {
      const minute = minuteStart(r.time);
      const bucket = bucketOf(r.id, TRENDING_BUCKETS);
      const key = `${minute}:${bucket}`;
      let p = partitions.get(key);
      if (!p) partitions.set(key, (p = { minute: new Date(minute), bucket, ratings: [] }));
      p.ratings.push(r);
    }
    const work = [...partitions.values()].flatMap((p) => chunks(p.ratings).map((chunk) => ({ p, chunk })));
    await mapLimit(work, this.config.batch.writeConcurrency, ({ p, chunk }) =>
      this.session.batch(
        chunk.map((r) => ({ query: INSERT_TRENDING, params: [p.minute, p.bucket, r.movie, r.id, r.rating] })),
      ),
    );
  }
}
