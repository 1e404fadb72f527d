export interface Movie {
  id: number;
  /** As shown to users and written to events, e.g. "Heat (1995)". */
  title: string;
  genres: string[];
}

/**
 * The films viewers can rate. Order matters: position 0 is the most popular film, and the generator's
 * Zipf skew follows that order.
 */
export class Catalogue {
  private readonly byId: Map<number, Movie>;

  constructor(readonly movies: readonly Movie[]) {
    if (movies.length === 0) throw new Error('a catalogue needs at least one movie');
    this.byId = new Map(movies.map((m) => [m.id, m]));
  }

  get size(): number {
    return this.movies.length;
  }

  get(id: number): Movie | undefined {
    return this.byId.get(id);
  }

  /** Every genre that occurs, sorted, for the viewers' tastes. */
  genres(): string[] {
    return [...new Set(this.movies.flatMap((m) => m.genres))].sort();
  }
}
