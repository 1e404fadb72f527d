import { Injectable } from '@nestjs/common';
import { TrendingMovieSeries, rankMovies, rowsForWindow, withSeries } from './trending';
import { TrendingRepository } from './trending.repository';
import { Clock } from '@reeltime/runtime';

export interface TrendingAnswer {
  window: string;
  from: string;
  to: string;
  /** What one step of a movie's `series` counts: a minute (windows up to 12 minutes) or an hour. */
  span: 'minute' | 'hour';
  /** The start of each minute (or hour) counted, oldest first: the steps of every `series`. */
  buckets: string[];
  movies: TrendingMovieSeries[];
}

/** How long a trending answer is reused: it is a sliding-window figure, a few seconds old is fine. */
export const TRENDING_CACHE_MS = 3000;
/** The largest `limit` the API accepts: the cached ranking keeps that many, whatever limit asked first. */
export const MAX_TRENDING_LIMIT = 100;
const MAX_CACHED_WINDOWS = 64;

/** Top movies by number of ratings in a sliding window, with their averages. */
@Injectable()
export class TrendingService {
  /** By window only: every `limit` is a slice of the same full ranking. */
  private readonly cached = new Map<number, { at: number; answer: Promise<TrendingAnswer> }>();

  constructor(
    private readonly repository: TrendingRepository,
    private readonly clock: Clock,
  ) {}

  async trending(window: string, windowMs: number, limit: number): Promise<TrendingAnswer> {
    const full = await this.ranking(window, windowMs);
    return { ...full, window, movies: full.movies.slice(0, limit) };
  }

  private ranking(window: string, windowMs: number): Promise<TrendingAnswer> {
    const now = this.clock.now();
    const key = windowMs;
    const hit = this.cached.get(key);
    if (hit && now - hit.at < TRENDING_CACHE_MS) return hit.answer;
    const answer = this.compute(window, windowMs, now);
    if (this.cached.size >= MAX_CACHED_WINDOWS) this.cached.clear();
    this.cached.set(key, { at: now, answer });
    // A failed read must not be served from the cache to the next caller (the caller gets the error itself).
    answer.catch(() => {
      if (this.cached.get(key)?.answer === answer) this.cached.delete(key);
    });
    return answer;
  }

  private async compute(window: string, windowMs: number, now: number): Promise<TrendingAnswer> {
    const rows = rowsForWindow(now, windowMs);
    const tallies = await this.repository.tallies(rows);
    return {
      window,
      from: new Date(rows.starts[0]).toISOString(),
      to: new Date(now).toISOString(),
      span: rows.span,
      buckets: rows.starts.map((s) => new Date(s).toISOString()),
      movies: withSeries(rankMovies(tallies, MAX_TRENDING_LIMIT), tallies, rows.starts),
    };
  }
}
