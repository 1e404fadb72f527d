/**
 * Layout facts shared by the writer (consumer) and the readers (query service, tests) of the tables
 * in cql/. Changing a bucket count means a new table, not an edit here.
 */
export const USERS_BY_HOUR_BUCKETS = 16;
export const TRENDING_BUCKETS = 8;

/**
 * The `movie_counts_by_minute` bucket holding the rows of one Kafka partition of the ratings topic, so
 * the consumer that owns the partition re-reads a single partition per minute.
 */
export function trendingBucketOf(source: number): number {
  return source % TRENDING_BUCKETS;
}

/** `movie_counts_by_hour` partitions per hour: 25 hours (a 24 h window) × 4 = 100 partition reads. */
export const TRENDING_HOUR_BUCKETS = 4;

/** The `movie_counts_by_hour` bucket holding the rows of one Kafka partition of the ratings topic. */
export function trendingHourBucketOf(source: number): number {
  return source % TRENDING_HOUR_BUCKETS;
}

/** A key's bucket: FNV-1a, stable across processes and versions, unlike any runtime hash. */
export { bucketOf } from '@reeltime/runtime';
