import { Injectable } from '@nestjs/common';
import {
  CassandraSession,
  USERS_BY_HOUR_BUCKETS,
  bucketOf,
  intBytes,
  textBytes,
  timestampBytes,
  trendingBucketOf,
  uuidBytes,
} from '@reeltime/cassandra';
import { Rating, StatsAggregate } from '@reeltime/contracts';
import { types } from 'cassandra-driver';
import { BoundedMemo } from '../bounded-memo';
import { chunkBySize } from '../chunk-by-size';
import { mapLimit } from './concurrency';
import { MovieCount, RatingsStore, StoredRow } from './ratings.store';

const { Long } = types;

const INSERT_RECORD = 'INSERT INTO records (name, hour, time, id, movie, rating) VALUES (?, ?, ?, ?, ?, ?)';
/**
 * n rows of one partition as a single prepared statement (one per n, at most ~80 with BATCH_BYTES):
 * the same unlogged single-partition batch Cassandra gets from a protocol batch, but the driver
 * looks up one prepared statement per chunk instead of one per row.
 */
const insertRecordsCache: string[] = [];
function insertRecordsCql(n: number): string {
  return (insertRecordsCache[n] ??= `BEGIN UNLOGGED BATCH ${`${INSERT_RECORD}; `.repeat(n)}APPLY BATCH`);
}
const SELECT_HOUR = 'SELECT time, id, rating, movie FROM records WHERE name = ? AND hour = ?';
const SELECT_ROW = 'SELECT rating, movie FROM records WHERE name = ? AND hour = ? AND time = ? AND id = ?';
const UPSERT_STATS =
  'INSERT INTO user_hour_stats (name, hour, count, sum, min, max, histogram, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
const INSERT_ACTIVE = 'INSERT INTO users_by_hour (hour, bucket, name) VALUES (?, ?, ?)';
const SELECT_ACTIVE = 'SELECT name FROM users_by_hour WHERE hour = ? AND bucket = ?';
const SELECT_COUNTS =
  'SELECT movie, source, count, sum, counted_to FROM movie_counts_by_minute WHERE minute = ? AND bucket = ?';
const UPSERT_COUNTS =
  'INSERT INTO movie_counts_by_minute (minute, bucket, movie, source, count, sum, counted_to) VALUES (?, ?, ?, ?, ?, ?, ?)';

/**
 * Cassandra warns about batches over 5 KiB (batch_size_warn_threshold) and rejects them at 50 KiB;
 * single-partition batches are cut well under the warning by an estimate of each row's size.
 */
const BATCH_BYTES = 4000;
/** A row's estimated size: its text (a title, or a name) and ~48 bytes for the rest. */
const rowBytes = (text: string): number => 48 + Buffer.byteLength(text);
/** Batches in flight per call; the flush also bounds how many calls run at once. */
const CHUNKS_IN_FLIGHT = 8;

/** Rows cut into single-partition batches under BATCH_BYTES. */
const chunks = <T>(rows: T[], textOf: (row: T) => string): T[][] =>
  chunkBySize(rows, BATCH_BYTES, (r) => rowBytes(textOf(r)));

@Injectable()
export class CassandraRatingsStore extends RatingsStore {
  /** Encoded titles and ratings, shared by every row that carries them. */
  private readonly movieBytes = new BoundedMemo(textBytes, 50_000);
  private readonly ratingBytes = new BoundedMemo(intBytes, 100);

  constructor(private readonly session: CassandraSession) {
    super();
  }

  async writeRecords(name: string, hour: number, ratings: Rating[]): Promise<void> {
    // One row per rating makes this the hottest path: values go to the driver already encoded, the
    // partition key's once per call, so a row costs two new small Buffers (time, id) and no conversions.
    const nameBytes = textBytes(name);
    const hourBytes = timestampBytes(hour);
    await mapLimit(
      chunks(ratings, (r) => r.movie),
      CHUNKS_IN_FLIGHT,
      (chunk) => {
        const params: Buffer[] = [];
        for (const r of chunk) {
          params.push(
            nameBytes,
            hourBytes,
            timestampBytes(r.time),
            uuidBytes(r.id),
            this.movieBytes.get(r.movie),
            this.ratingBytes.get(r.rating),
          );
        }
        return this.session.execute(insertRecordsCql(chunk.length), params);
      },
    );
  }

  async readHour(name: string, hour: number): Promise<StoredRow[]> {
    const rows = await this.session.all(SELECT_HOUR, [name, new Date(hour)]);
    return rows.map((row) => ({
      time: (row.get('time') as Date).getTime(),
      id: String(row.get('id')),
      rating: row.get('rating') as number,
      movie: row.get('movie') as string,
    }));
  }

  async readRow(name: string, hour: number, time: number, id: string): Promise<StoredRow | undefined> {
    const rows = await this.session.execute(SELECT_ROW, [name, new Date(hour), new Date(time), id]);
    return rows.length
      ? { time, id, rating: rows[0].get('rating') as number, movie: rows[0].get('movie') as string }
      : undefined;
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

  async markActive(users: Array<{ name: string; hour: number }>): Promise<void> {
    // One single-partition batch per (hour, bucket) chunk instead of one statement per user: the hour's
    // 16 partitions would otherwise take thousands of concurrent one-row writes at the turn of an hour.
    const byPartition = new Map<string, { hour: Date; bucket: number; names: string[] }>();
    for (const { name, hour } of users) {
      const bucket = bucketOf(name, USERS_BY_HOUR_BUCKETS);
      const key = `${hour}:${bucket}`;
      let p = byPartition.get(key);
      if (!p) byPartition.set(key, (p = { hour: new Date(hour), bucket, names: [] }));
      p.names.push(name);
    }
    const statements = [...byPartition.values()].flatMap(({ hour, bucket, names }) =>
      chunks(names, (name) => name).map((chunk) =>
        chunk.map((name) => ({ query: INSERT_ACTIVE, params: [hour, bucket, name] })),
      ),
    );
    await mapLimit(statements, CHUNKS_IN_FLIGHT, (batch) => this.session.batch(batch));
  }

  async readActive(hour: number): Promise<string[]> {
    const at = new Date(hour);
    const buckets = await Promise.all(
      Array.from({ length: USERS_BY_HOUR_BUCKETS }, (_, bucket) => this.session.all(SELECT_ACTIVE, [at, bucket])),
    );
    return buckets.flatMap((rows) => rows.map((row) => row.get('name') as string));
  }

  async readMovieCounts(minute: number, source: number): Promise<MovieCount[]> {
    const rows = await this.session.all(SELECT_COUNTS, [new Date(minute), trendingBucketOf(source)]);
    return rows
      .filter((row) => row.get('source') === source)
      .map((row) => ({
        movie: row.get('movie') as string,
        count: row.get('count') as number,
        sum: row.get('sum') as number,
        countedTo: (row.get('counted_to') as types.Long).toNumber(),
      }));
  }

  async writeMovieCounts(minute: number, source: number, rows: MovieCount[]): Promise<void> {
    const minuteDate = new Date(minute);
    const bucket = trendingBucketOf(source);
    await mapLimit(
      chunks(rows, (r) => r.movie),
      CHUNKS_IN_FLIGHT,
      (chunk) =>
        this.session.batch(
          chunk.map((r) => ({
            query: UPSERT_COUNTS,
            params: [minuteDate, bucket, r.movie, source, r.count, r.sum, Long.fromNumber(r.countedTo)],
          })),
        ),
    );
  }
}
