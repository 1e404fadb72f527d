import { LRUCache } from 'lru-cache';
import { Rating } from '@reeltime/contracts';

/** Movies whose raters are kept: the most recently rated ones (the trending lists' all fit). */
export const RATERS_MOVIES_MAX = 5000;
/** Raters kept per movie, newest first. */
export const RATERS_PER_MOVIE = 20;

interface Kept {
  name: string;
  rating: number;
  time: number;
}

export interface Rater {
  name: string;
  rating: number;
  time: string;
}

/**
 * The newest raters (by event time) of the most recently rated movies, as this instance's feed saw
 * them. Bounded:
 * RATERS_MOVIES_MAX × RATERS_PER_MOVIE entries whatever the traffic.
 */
export class MovieRaters {
  /** Only what is answered (no id, no title): these live long, in the old generation. */
  private readonly byMovie = new LRUCache<string, Array<Kept>>({ max: RATERS_MOVIES_MAX });

  add({ movie, name, rating, time }: Rating): void {
    const raters = this.byMovie.get(movie);
    if (!raters) {
      this.byMovie.set(movie, [{ name, rating, time }]);
      return;
    }
    // By event time, newest first: partitions are read in no particular order, and late events exist.
    let at = 0;
    while (at < raters.length && raters[at].time >= time) at++;
    if (at >= RATERS_PER_MOVIE) return;
    raters.splice(at, 0, { name, rating, time });
    if (raters.length > RATERS_PER_MOVIE) raters.length = RATERS_PER_MOVIE;
  }

  /** Newest event time first, at most `limit`; none for a movie not rated lately. */
  raters(movie: string, limit: number): Rater[] {
    return (this.byMovie.peek(movie) ?? [])
      .slice(0, limit)
      .map((r) => ({ name: r.name, rating: r.rating, time: new Date(r.time).toISOString() }));
  }
}
