import { RATING_MAX, RATING_MIN } from '@reeltime/contracts';

/** One row of MovieLens ratings.csv: `userId,movieId,rating,timestamp` (stars 0.5–5, epoch seconds). */
export interface RatingRow {
  userId: number;
  movieId: number;
  stars: number;
  /** Epoch seconds, as MovieLens writes them. */
  timestamp: number;
}

export type RatingsLine = { ok: true; row: RatingRow } | { ok: false; reason: string };

const UINT = /^\d+$/;

export function parseRatingsLine(line: string): RatingsLine {
  const fields = line.split(',');
  if (fields.length !== 4) {
    return { ok: false, reason: `expected 4 fields (userId,movieId,rating,timestamp), got ${fields.length}` };
  }
  const [user, movie, rating, timestamp] = fields;
  if (!UINT.test(user)) return { ok: false, reason: `userId "${user}" is not a non-negative integer` };
  if (!UINT.test(movie)) return { ok: false, reason: `movieId "${movie}" is not a non-negative integer` };
  const stars = Number(rating);
  if (rating.trim() === '' || !Number.isFinite(stars) || stars <= 0 || stars > 5) {
    return { ok: false, reason: `rating "${rating}" is not from 0.5 to 5` };
  }
  if (!UINT.test(timestamp.trim())) return { ok: false, reason: `timestamp "${timestamp}" is not epoch seconds` };
  return { ok: true, row: { userId: Number(user), movieId: Number(movie), stars, timestamp: Number(timestamp) } };
}

/** MovieLens stars (0.5–5) to the contract's 1–10: doubled, rounded, kept in bounds. */
export function starsToRating(stars: number): number {
  return Math.min(RATING_MAX, Math.max(RATING_MIN, Math.round(stars * 2)));
}

export function replayUserName(userId: number): string {
  return `user-${userId}`;
}
