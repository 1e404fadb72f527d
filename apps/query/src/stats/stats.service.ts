import { Injectable } from '@nestjs/common';
import { HOUR_MS, HourlyStats, emptyAggregate, hourStart, toHourlyStats } from '@reeltime/contracts';
import { AnswerCache, cacheGroups } from '../cache/answer-cache';
import { MoviesPage, StatsRepository, UsersPage } from './stats.repository';
import { Clock, mapLimit } from '@reeltime/runtime';

export interface AverageAnswer {
  name: string;
  hour: string;
  average: number | null;
  count: number;
}

export interface MoviesAnswer extends MoviesPage {
  name: string;
  hour: string;
}

export interface UsersAnswer extends UsersPage {
  hour: string;
  /** How many users this page lists. */
  count: number;
  /** With `withStats`: each listed user's count and average in the hour, in the order of `users`. */
  stats?: Array<{ name: string; count: number; average: number | null }>;
}

/** Stats reads in flight for one page of users. */
const USER_STATS_CONCURRENCY = 16;

const iso = (ms: number) => new Date(ms).toISOString();

const keys = {
  average: (name: string, hour: number) => `avg\u0000${name}\u0000${hour}`,
  stats: (name: string, hour: number) => `st\u0000${name}\u0000${hour}`,
};

/** Answers that found nothing: cached apart and briefly (see AnswerCache). */
const isEmpty = {
  count: (a: { count: number }) => a.count === 0,
  movies: (a: MoviesAnswer) => a.movies.length === 0 && !a.pageState,
  range: (a: { hours: unknown[] }) => a.hours.length === 0,
  users: (a: UsersAnswer) => a.users.length === 0 && !a.pageState,
};

/**
 * The per-user answers, each cached until a stats message for that (user, hour) drops it. Closed
 * hours stay cached as long as the LRU keeps them; late data still drops them through the same message.
 */
@Injectable()
export class StatsService {
  constructor(
    private readonly repository: StatsRepository,
    private readonly cache: AnswerCache,
    private readonly clock: Clock,
  ) {}

  /** An answer already cached for GET …/average or …/stats, or undefined (for the HTTP fast path). */
  cachedAnswer(route: 'average' | 'stats', name: string, hour: number): AverageAnswer | HourlyStats | undefined {
    return this.cache.peek(route === 'average' ? keys.average(name, hour) : keys.stats(name, hour));
  }

  /** Exactly AVG(rating) over the user's rows in `records` for that hour, as a float. */
  average(name: string, hour: number): Promise<AverageAnswer> {
    return this.cache.get(
      keys.average(name, hour),
      cacheGroups.userHour(name, hour),
      async () => {
        const { count, sum } = await this.repository.countAndSum(name, hour);
        return { name, hour: iso(hour), average: count === 0 ? null : sum / count, count };
      },
      isEmpty.count,
    );
  }

  movies(name: string, hour: number, limit: number, pageState?: string): Promise<MoviesAnswer> {
    const key = `mov\u0000${name}\u0000${hour}\u0000${limit}\u0000${pageState ?? ''}`;
    return this.cache.get(
      key,
      cacheGroups.userHour(name, hour),
      async () => {
        const page = await this.repository.moviesPage(name, hour, limit, pageState);
        const answer: MoviesAnswer = { name, hour: iso(hour), movies: page.movies };
        if (page.pageState) answer.pageState = page.pageState;
        return answer;
      },
      isEmpty.movies,
    );
  }

  /** The hourly stats shape; a count-0 shape when the user did not rate in that hour. */
  stats(name: string, hour: number): Promise<HourlyStats> {
    return this.cache.get(
      keys.stats(name, hour),
      cacheGroups.userHour(name, hour),
      async () => {
        const stored = await this.repository.hourStats(name, hour);
        return stored
          ? toHourlyStats(name, hour, stored, stored.updatedAt)
          : toHourlyStats(name, hour, emptyAggregate(), this.clock.now());
      },
      isEmpty.count,
    );
  }

  /** The stored hours from `from` to `to`, oldest first (hours without ratings are left out). */
  range(name: string, from: number, to: number): Promise<{ name: string; hours: HourlyStats[] }> {
    return this.cache.get(
      `rng\u0000${name}\u0000${from}\u0000${to}`,
      cacheGroups.userRanges(name),
      async () => {
        const rows = await this.repository.hourRange(name, from, to);
        return { name, hours: rows.filter((r) => r.count > 0).map((r) => toHourlyStats(name, r.hour, r, r.updatedAt)) };
      },
      isEmpty.range,
    );
  }

  /** One page of the hour's users (those whose name starts with `prefix`, when given). */
  usersInHour(hour: number, limit: number, prefix?: string, pageState?: string): Promise<UsersAnswer> {
    const key = `users\u0000${hour}\u0000${limit}\u0000${prefix ?? ''}\u0000${pageState ?? ''}`;
    return this.cache.get(
      key,
      cacheGroups.hourUsers(hour),
      async () => {
        const page = await this.repository.usersPage(hour, limit, prefix, pageState);
        const answer: UsersAnswer = { hour: iso(hour), count: page.users.length, users: page.users };
        if (page.pageState) answer.pageState = page.pageState;
        return answer;
      },
      isEmpty.users,
    );
  }

  /** A page of the hour's users, each with their count and average there (from the cached stats). */
  async usersInHourWithStats(hour: number, limit: number, prefix?: string, pageState?: string): Promise<UsersAnswer> {
    const page = await this.usersInHour(hour, limit, prefix, pageState);
    const stats = await mapLimit(page.users, USER_STATS_CONCURRENCY, async (name) => {
      const { count, average } = await this.stats(name, hour);
      return { name, count, average };
    });
    return { ...page, stats };
  }

  /** The current and the previous hour, newest first (what a new WebSocket subscriber gets). */
  async currentAndPrevious(name: string): Promise<HourlyStats[]> {
    const current = hourStart(this.clock.now());
    return Promise.all([this.stats(name, current), this.stats(name, current - HOUR_MS)]);
  }
}
