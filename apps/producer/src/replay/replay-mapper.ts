import { Faker } from '@faker-js/faker';
import { Rating } from '@reeltime/contracts';
import { Catalogue } from '../catalogue/catalogue';
import { parseRatingsLine, replayUserName, starsToRating } from './movielens-ratings';
import { ReplayTiming } from './replay-timing';

export type MappedLine = { ok: true; rating: Rating; dueAt?: number } | { ok: false; reason: string };

/**
 * Turns one ratings.csv line into a contract Rating: user `user-<id>`, the title from the movies file,
 * stars × 2 rounded to 1–10, a time from ReplayTiming and an id from the seeded random source. A line
 * it cannot map comes back with the reason.
 */
export class ReplayMapper {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly timing: ReplayTiming,
    private readonly faker: Faker,
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
        id: this.faker.string.uuid(),
        name: replayUserName(userId),
        movie: movie.title,
        rating: starsToRating(stars),
        time,
      },
    };
  }
}
