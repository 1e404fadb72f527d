/**
 * What the query service sends the page (REST answers and socket.io events), as JSON carries it:
 * times are ISO strings, hours the ISO start of a UTC hour. See DESIGN.md's REST and WebSocket contracts.
 */

// One contract in one place: the shapes the libs define are imported as types (nothing is bundled).
import type { HourlyStats } from '@reeltime/contracts';
export type { HourlyStats };

export interface UserStat {
  name: string;
  count: number;
  average: number | null;
}

export interface UsersAnswer {
  hour: string;
  users: string[];
  count: number;
  pageState?: string;
  stats?: UserStat[];
}

export interface MoviesAnswer {
  name: string;
  hour: string;
  movies: Array<{ movie: string; rating: number; time: string }>;
  pageState?: string;
}

export interface RangeAnswer {
  name: string;
  hours: HourlyStats[];
}

export interface TrendingMovie {
  movie: string;
  count: number;
  average: number;
  series?: number[];
}

export interface TrendingAnswer {
  window: string;
  from: string;
  to: string;
  span?: 'minute' | 'hour';
  buckets?: string[];
  movies: TrendingMovie[];
}

export interface RatersAnswer {
  movie: string;
  since: string;
  raters: Array<{ name: string; rating: number; time: string }>;
}

export interface FeedItem {
  name: string;
  movie: string;
  rating: number;
  time: string;
}

export interface SystemStatus {
  ratingsPerSecond: number;
  consumerLag: number | null;
}

/** The `health` push: its contract lives with the backend's (type only: nothing of the lib is bundled). */
export type { PipelineHealth, ServiceState } from '@reeltime/contracts';

export type SubscribeAck = { ok: true; stats: HourlyStats[] } | { ok: false; error: string };
