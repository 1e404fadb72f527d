import { Injectable } from '@nestjs/common';
import {
  CassandraSession,
  USERS_BY_HOUR_BUCKETS,
  bucketOf,
  intBytes,
  textBytes,
  timestampBytes,
  trendingBucketOf,
  trendingHourBucketOf,
  uuidBytes,
} from '@reeltime/cassandra';
import { AppConfig } from '@reeltime/config';
import { types } from 'cassandra-driver';
import { BoundedMemo } from '../bounded-memo';
import { chunkBySize } from '../chunk-by-size';
import { CountSpan, HourRows, HourStatsRow, MovieCount, Proceed, RatingsStore, StoredRow } from './ratings.store';
import { mapLimit } from '@reeltime/runtime';

const { Long } = types;

const INSERT_RECORD = 'INSERT INTO records (name, hour, time, id, movie, rating) VALUES (?, ?, ?, ?, ?, ?) USING TTL ?';
const RECORD_PARAMS = 7;
/**
 * n statements as a single prepared unlogged batch (one prepared statement per (statement, n)): the
 * same batch Cassandra gets from a protocol batch, but the driver looks up one prepared statement per
 * request instead of one per row.
 */
const batchCqlCache = new Map<string, string[]>();
function batchCql(statement: string, n: number): string {
  let byCount = batchCqlCache.get(statement);
  if (!byCount) batchCqlCache.set(statement, (byCount = []));
  return (byCount[n] ??= `BEGIN UNLOGGED BATCH ${`${statement}; `.repeat(n)}APPLY BATCH`);
}
const SELECT_HOURS = 'SELECT name, time, id, rating, movie FROM records WHERE name IN ? AND hour = ?';
/**
 * Partitions per read-back request: one request for many partitions of an hour spares the consumer's
 * driver and Cassandra's native transport a request each, as with the writes; small enough that a
 * coordinator's fan-out and the answer (a few rows per partition) stay small.
 */
const PARTITIONS_PER_READ = 20;
const SELECT_ROW = 'SELECT rating, movie FROM records WHERE name = ? AND hour = ? AND time = ? AND id = ?';
const UPSERT_STATS =
  'INSERT INTO user_hour_stats (name, hour, count, sum, min, max, histogram, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?';
const INSERT_ACTIVE = 'INSERT INTO users_by_hour (hour, bucket, name) VALUES (?, ?, ?) USING TTL ?';
const SELECT_ACTIVE = 'SELECT name FROM users_by_hour WHERE hour = ? AND bucket = ?';
const SELECT_COUNTS = {
  minute: 'SELECT movie, source, count, sum, counted_to FROM movie_counts_by_minute WHERE minute = ? AND bucket = ?',
  hour: 'SELECT movie, source, count, sum, counted_to FROM movie_counts_by_hour WHERE hour = ? AND bucket = ?',
} as const;
const UPSERT_COUNTS = {
  minute:
    'INSERT INTO movie_counts_by_minute (minute, bucket, movie, source, count, sum, counted_to) VALUES (?, ?, ?, ?, ?, ?, ?) USING TTL ?',
  hour: 'INSERT INTO movie_counts_by_hour (hour, bucket, movie, source, count, sum, counted_to) VALUES (?, ?, ?, ?, ?, ?, ?) USING TTL ?',
} as const;
const countsBucketOf = (span: CountSpan, source: number) =>
  span === 'minute' ? trendingBucketOf(source) : trendingHourBucketOf(source);

/**
 * Cassandra warns about batches over 5 KiB (batch_size_warn_threshold) and rejects them at 50 KiB;
 * single-partition batches are cut well under the warning by an estimate of each row's size.
 */
const BATCH_BYTES = 4000;
/** A row's estimated size: its text (a title, or a name) and ~48 bytes for the rest. */
const rowBytes = (text: string): number => 48 + Buffer.byteLength(text);
/**
 * Cassandra's count of a `records` row against the batch size warning, which it applies to batches
 * of more than one partition: 92 bytes and the title, 12 more with a TTL (measured with 100-row
 * batches of 10 partitions). rowBytes' 48 let most multi-partition batches of the drain through at
 * 5.3–6 KiB, each with a warning logged by Cassandra and the consumer. The budget leaves room for
 * what each partition adds: with one or two rows a partition, 5,000 estimated bytes came to 5,150.
 */
const RECORD_BATCH_BYTES = 4500;
const recordBytes = (movie: string): number => 104 + Buffer.byteLength(movie);
/**
 * Partitions per multi-partition batch: Cassandra logs a warning for an unlogged batch spanning more
 * (unlogged_batch_across_partitions_warn_threshold, 10 by default).
 */
const PARTITIONS_PER_BATCH = 10;
/**
 * Stats rows per multi-partition batch. Cassandra counts a stats row as 594 bytes against its 5 KiB
 * batch size warning (606 with a TTL; the name, a partition key, is not counted; the histogram is a
 * list, a cell per bucket), measured with batches of 6 to 10 rows: 8 stay under it. At 10 a batch,
 * the warning came back with every batch, costing Cassandra a log line and the consumer another.
 */
const STATS_ROWS_PER_BATCH = 8;
/** Batches in flight per call of the small writes (users_by_hour marks, trending rows). */
const CHUNKS_IN_FLIGHT = 8;

/** Rows cut into single-partition batches under BATCH_BYTES. */
const chunks = <T>(rows: T[], textOf: (row: T) => string): T[][] =>
  chunkBySize(rows, BATCH_BYTES, (r) => rowBytes(textOf(r)));

@Injectable()
export class CassandraRatingsStore extends RatingsStore {
  /** Encoded titles and ratings, shared by every row that carries them. */
  private readonly movieBytes = new BoundedMemo(textBytes, 50_000);
  private readonly ratingBytes = new BoundedMemo(intBytes, 100);

  /** Requests in flight for the writes of a whole batch (records, stats rows). */
  private readonly inFlight: number;
  /** Write TTLs in seconds (0: no expiry), see AppConfig.retention. */
  private readonly ratingsTtl: number;
  private readonly statsTtl: number;
  private readonly ratingsTtlBytes: Buffer;

  constructor(
    private readonly session: CassandraSession,
    config: AppConfig,
  ) {
    super();
    this.inFlight = config.batch.writeConcurrency;
    this.ratingsTtl = config.retention.ratingsTtlSeconds;
    this.statsTtl = config.retention.statsTtlSeconds;
    this.ratingsTtlBytes = intBytes(this.ratingsTtl);
  }

  /**
   * The hottest path: one row per rating. Rows of up to PARTITIONS_PER_BATCH partitions share one
   * request. With many users a partition gets one or two rows per flush, and a request per partition
   * cost the consumer's driver and Cassandra's native transport more CPU than the rows themselves
   * (measured in bench/freshness.ts with 10,000 users). Values go to the driver already encoded, a
   * partition key's once per partition, so a row costs two new small Buffers (time, id).
   */
  async writeRecords(hours: HourRows[], proceed: Proceed): Promise<void> {
    const requests: Buffer[][] = [];
    let params: Buffer[] = [];
    let bytes = 0;
    let partitions = 0;
    const close = (): void => {
      if (params.length) requests.push(params);
      params = [];
      bytes = 0;
      partitions = 0;
    };
    for (const { name, hour, ratings } of hours) {
      if (partitions === PARTITIONS_PER_BATCH) close();
      const nameBytes = textBytes(name);
      const hourBytes = timestampBytes(hour);
      let counted = false;
      for (const r of ratings) {
        const size = recordBytes(r.movie);
        if (params.length && bytes + size > RECORD_BATCH_BYTES) {
          close();
          counted = false;
        }
        if (!counted) {
          partitions += 1;
          counted = true;
        }
        params.push(
          nameBytes,
          hourBytes,
          timestampBytes(r.time),
          uuidBytes(r.id),
          this.movieBytes.get(r.movie),
          this.ratingBytes.get(r.rating),
          this.ratingsTtlBytes,
        );
        bytes += size;
      }
    }
    close();
    await mapLimit(requests, this.inFlight, (p) => {
      proceed();
      return this.session.execute(batchCql(INSERT_RECORD, p.length / RECORD_PARAMS), p);
    });
  }

  async readHours(hours: Array<{ name: string; hour: number }>): Promise<StoredRow[][]> {
    const out = hours.map((): StoredRow[] => []);
    const byHour = new Map<number, Map<string, number>>();
    hours.forEach(({ name, hour }, i) => {
      let names = byHour.get(hour);
      if (!names) byHour.set(hour, (names = new Map<string, number>()));
      names.set(name, i);
    });
    const requests: Array<{ hour: number; names: string[] }> = [];
    for (const [hour, names] of byHour) {
      const all = [...names.keys()];
      for (let i = 0; i < all.length; i += PARTITIONS_PER_READ) {
        requests.push({ hour, names: all.slice(i, i + PARTITIONS_PER_READ) });
      }
    }
    await mapLimit(requests, this.inFlight, async ({ hour, names }) => {
      const index = byHour.get(hour)!;
      for (const row of await this.session.all(SELECT_HOURS, [names, new Date(hour)])) {
        out[index.get(row.get('name') as string)!].push({
          time: (row.get('time') as Date).getTime(),
          id: String(row.get('id')),
          rating: row.get('rating') as number,
          movie: row.get('movie') as string,
        });
      }
    });
    return out;
  }

  async readRow(name: string, hour: number, time: number, id: string): Promise<StoredRow | undefined> {
    const rows = await this.session.execute(SELECT_ROW, [name, new Date(hour), new Date(time), id]);
    return rows.length
      ? { time, id, rating: rows[0].get('rating') as number, movie: rows[0].get('movie') as string }
      : undefined;
  }

  /** Stats rows, STATS_ROWS_PER_BATCH (user, hour)s per request. */
  async writeStats(rows: HourStatsRow[], proceed: Proceed): Promise<void> {
    const requests: HourStatsRow[][] = [];
    for (let i = 0; i < rows.length; i += STATS_ROWS_PER_BATCH) requests.push(rows.slice(i, i + STATS_ROWS_PER_BATCH));
    await mapLimit(requests, this.inFlight, (chunk) => {
      proceed();
      const params: unknown[] = [];
      for (const { name, hour, stats: s, updatedAt } of chunk) {
        params.push(
          name,
          new Date(hour),
          s.count,
          s.sum,
          s.min,
          s.max,
          s.histogram,
          new Date(updatedAt),
          this.statsTtl,
        );
      }
      return this.session.execute(batchCql(UPSERT_STATS, chunk.length), params);
    });
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
        chunk.map((name) => ({ query: INSERT_ACTIVE, params: [hour, bucket, name, this.ratingsTtl] })),
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

  async readMovieCounts(span: CountSpan, start: number, source: number): Promise<MovieCount[]> {
    const rows = await this.session.all(SELECT_COUNTS[span], [new Date(start), countsBucketOf(span, source)]);
    return rows
      .filter((row) => row.get('source') === source)
      .map((row) => ({
        movie: row.get('movie') as string,
        count: row.get('count') as number,
        sum: row.get('sum') as number,
        countedTo: (row.get('counted_to') as types.Long).toNumber(),
      }));
  }

  async writeMovieCounts(span: CountSpan, start: number, source: number, rows: MovieCount[]): Promise<void> {
    const startDate = new Date(start);
    const bucket = countsBucketOf(span, source);
    await mapLimit(
      chunks(rows, (r) => r.movie),
      CHUNKS_IN_FLIGHT,
      (chunk) =>
        this.session.batch(
          chunk.map((r) => ({
            query: UPSERT_COUNTS[span],
            params: [startDate, bucket, r.movie, source, r.count, r.sum, Long.fromNumber(r.countedTo), this.ratingsTtl],
          })),
        ),
    );
  }
}
