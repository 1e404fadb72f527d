import { RATING_MAX } from './rating-event';

/**
 * Per-user hourly stats: the `user-hour-stats` message value, and the REST and WebSocket shape.
 * `histogram[i]` is the number of ratings equal to i + 1.
 */
export interface HourlyStats {
  name: string;
  /** ISO-8601, start of the UTC hour. */
  hour: string;
  count: number;
  sum: number;
  /** null when count is 0. */
  average: number | null;
  min: number | null;
  max: number | null;
  histogram: number[];
  updatedAt: string;
}

/** count, sum, min, max and histogram of a set of ratings, from which the full shape follows. */
export interface StatsAggregate {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  histogram: number[];
}

export function emptyAggregate(): StatsAggregate {
  return { count: 0, sum: 0, min: null, max: null, histogram: new Array<number>(RATING_MAX).fill(0) };
}

/** Adds one rating in place. */
export function addRating(agg: StatsAggregate, rating: number): void {
  agg.count += 1;
  agg.sum += rating;
  agg.min = agg.min === null ? rating : Math.min(agg.min, rating);
  agg.max = agg.max === null ? rating : Math.max(agg.max, rating);
  agg.histogram[rating - 1] += 1;
}

export function aggregateRatings(ratings: Iterable<number>): StatsAggregate {
  const agg = emptyAggregate();
  for (const r of ratings) addRating(agg, r);
  return agg;
}

export function toHourlyStats(name: string, hour: number, agg: StatsAggregate, updatedAt: number): HourlyStats {
  return {
    name,
    hour: new Date(hour).toISOString(),
    count: agg.count,
    sum: agg.sum,
    average: agg.count === 0 ? null : agg.sum / agg.count,
    min: agg.min,
    max: agg.max,
    histogram: [...agg.histogram],
    updatedAt: new Date(updatedAt).toISOString(),
  };
}
