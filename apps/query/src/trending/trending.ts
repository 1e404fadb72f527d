import { HOUR_MS, MINUTE_MS, hourStart, minuteStart } from '@reeltime/contracts';

export const MAX_WINDOW_MS = 24 * 3_600_000;
const UNIT_MS = { s: 1000, m: MINUTE_MS, h: 3_600_000 } as const;

export type WindowParseResult = { ok: true; ms: number } | { ok: false; reason: string };

/** The shape of a window (parseWindow then checks its length). */
export const WINDOW_FORMAT = /^(\d{1,6})(s|m|h)$/;

/** `30s`, `5m`, `1h` … up to 24h. */
export function parseWindow(input: string): WindowParseResult {
  const match = WINDOW_FORMAT.exec(input);
  if (!match) return { ok: false, reason: 'window must be a number followed by s, m or h, e.g. 30s, 10m or 1h' };
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms <= 0) return { ok: false, reason: 'window must be longer than 0' };
  if (ms > MAX_WINDOW_MS) return { ok: false, reason: 'window must be at most 24h' };
  return { ok: true, ms };
}

/**
 * The minutes a sliding window ending now overlaps, oldest first. Ratings are stored per minute, so
 * the window is rounded out to whole minutes.
 */
export function minutesInWindow(now: number, windowMs: number): number[] {
  const last = minuteStart(now);
  const first = minuteStart(now - windowMs + 1);
  const minutes: number[] = [];
  for (let m = first; m <= last; m += MINUTE_MS) minutes.push(m);
  return minutes;
}

/** Per-minute rows read for a window of at most this many minutes (× 8 buckets: 96 partition reads). */
export const MAX_MINUTE_ROWS = 12;

/** Which trending rows answer a window: per-minute ones, or per-hour ones, from these starts, oldest first. */
export interface WindowRows {
  span: 'minute' | 'hour';
  starts: number[];
}

/**
 * A short window is read from per-minute rows (rounded out to whole minutes); a longer one from the
 * per-hour rows of every hour it overlaps, so it is rounded out to whole hours (24 h not starting on
 * the hour: 25 hours × 4 buckets = 100 partition reads, instead of 11,520 per-minute partitions).
 */
export function rowsForWindow(now: number, windowMs: number): WindowRows {
  const minutes = minutesInWindow(now, windowMs);
  if (minutes.length <= MAX_MINUTE_ROWS) return { span: 'minute', starts: minutes };
  const starts: number[] = [];
  for (let h = hourStart(now - windowMs + 1); h <= hourStart(now); h += HOUR_MS) starts.push(h);
  return { span: 'hour', starts };
}

/** One partition's per-movie figures. */
export interface MovieTally {
  movie: string;
  count: number;
  sum: number;
  /** The minute (or hour) the partition holds, epoch ms: where the tally falls in a series. */
  start?: number;
}

export interface TrendingMovie {
  movie: string;
  count: number;
  average: number;
}

/** A ranked movie with its count in each minute (or hour) of the window, oldest first. */
export interface TrendingMovieSeries extends TrendingMovie {
  series: number[];
}

/** Each ranked movie's count per start (the window's minutes or hours), from the same tallies. */
export function withSeries(ranked: TrendingMovie[], tallies: MovieTally[], starts: number[]): TrendingMovieSeries[] {
  const index = new Map(starts.map((s, i) => [s, i] as const));
  const series = new Map(ranked.map((m) => [m.movie, new Array<number>(starts.length).fill(0)] as const));
  for (const t of tallies) {
    const i = t.start === undefined ? undefined : index.get(t.start);
    const counts = series.get(t.movie);
    if (counts && i !== undefined) counts[i] += t.count;
  }
  return ranked.map((m) => ({ ...m, series: series.get(m.movie) ?? [] }));
}

/** Adds up the tallies of every minute and bucket; most rated first (ties: higher average, then title). */
export function rankMovies(tallies: Iterable<MovieTally>, limit: number): TrendingMovie[] {
  const totals = new Map<string, { count: number; sum: number }>();
  for (const t of tallies) {
    const total = totals.get(t.movie);
    if (total) {
      total.count += t.count;
      total.sum += t.sum;
    } else {
      totals.set(t.movie, { count: t.count, sum: t.sum });
    }
  }
  return [...totals]
    .filter(([, t]) => t.count > 0)
    .map(([movie, t]) => ({ movie, count: t.count, average: t.sum / t.count }))
    .sort((a, b) => b.count - a.count || b.average - a.average || (a.movie < b.movie ? -1 : a.movie > b.movie ? 1 : 0))
    .slice(0, limit);
}
