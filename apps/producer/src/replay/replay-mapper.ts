import { createHash } from 'node:crypto';
import { Rating } from '@reeltime/contracts';
import { Catalogue } from '../catalogue/catalogue';
import { RatingRow, parseRatingsLine, replayUserName, starsToRating } from './movielens-ratings';
import { ReplayTiming } from './replay-timing';

export type MappedLine = { ok: true; rating: Rating; dueAt?: number } | { ok: false; reason: string };

/**
 * Turns one ratings.csv line into a contract Rating: user `user-<id>`, the title from the movies file,
 * stars × 2 rounded to 1–10, a time from ReplayTiming and an id derived from the row (replayEventId).
 * A line it cannot map comes back with the reason.
 */
export class ReplayMapper {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly timing: ReplayTiming,
    private readonly maxFutureSkewMs: number,
  ) {}

  map(line: string, now: number): MappedLine {
    const parsed = parseRatingsLine(line);
    if (!parsed.ok) return parsed;
    const { userId, movieId, stars, timestamp } = parsed.row;
    const movie = this.catalogue.get(movieId);
    if (!movie) return { ok: false, reason: `movieId ${movieId} is not in the movies file` };
    const { time, dueAt } = this.timing.place(timestamp * 1000);
    // The contract refuses events too far in the future; such a row is reported, never produced.
    const sentAt = Math.max(now, dueAt ?? now);
    if (time > sentAt + this.maxFutureSkewMs) {
      return { ok: false, reason: `timestamp ${timestamp} is more than ${this.maxFutureSkewMs} ms in the future` };
    }
    return {
      ok: true,
      dueAt,
      rating: {
        id: replayEventId(parsed.row, time),
        name: replayUserName(userId),
        movie: movie.title,
        rating: starsToRating(stars),
        time,
      },
    };
  }
}

/** Namespace of replayEventId's name-based UUIDs (a fixed random UUID, as RFC 9562 §5.5 suggests). */
const REPLAY_NAMESPACE = Buffer.from('5f1c2a8e9b7d4e0fa3c6d2b18e4f7a90', 'hex');

/**
 * A UUID version 5 of the row (user, movie, stars, original timestamp) and the event time written. The
 * id is the idempotency key, so equal ids must mean equal events: a corrected rating is another id
 * (the stats count each id once, so reusing it would leave them out of step with the rows). Replaying
 * a file twice with its original times therefore sends the same ids, and the consumer's upserts make
 * the second replay change nothing (idempotent, whatever the seed or the order of the lines). A
 * retimed replay moves the events to other times, so they are other events and get other ids: no id
 * is ever reused for a different event.
 */
export function replayEventId(row: RatingRow, time: number): string {
  const hash = createHash('sha1')
    .update(REPLAY_NAMESPACE)
    .update(`movielens:${row.userId}:${row.movieId}:${row.stars}:${row.timestamp}:${time}`)
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
