import { randomUUID } from 'node:crypto';
import { Faker } from '@faker-js/faker';
import { RATING_MAX, RATING_MIN, Rating } from '@reeltime/contracts';
import { Catalogue } from '../catalogue/catalogue';
import { normal, seededFaker } from './seeded-faker';
import { Viewer, createViewers } from './viewer-pool';
import { ZipfSampler } from './zipf';

export interface GeneratorOptions {
  users: number;
  seed: number;
  /** Share of events (0–1) whose time lies up to an hour in the past, to exercise late data. */
  lateFraction: number;
  /**
   * `random`: each event comes from a random viewer (rate mode). `round-robin`: viewers take turns, so
   * at users/interval events per second every viewer rates once per interval (PRODUCER_INTERVAL_MS).
   */
  order: 'random' | 'round-robin';
  /** Zipf exponent of movie popularity; 1 is the classic skew. */
  zipfExponent?: number;
  /** Event ids; a random UUID each by default (see RatingGenerator). */
  newId?: () => string;
}

const HOUR_MS = 3_600_000;
const NOISE = 1.4;
const TASTE = 1.2;

/**
 * Makes synthetic ratings: who rates (viewer order), what (Zipf over catalogue position, so popular
 * films are rated more), how (the film's own quality + the viewer's bias and genre taste + noise,
 * rounded to 1–10) and when (now, or within the past hour for the late fraction). The content comes
 * from one seeded Faker: same seed and same clock, same viewers, movies and ratings. The ids do not:
 * the id is the idempotency key, so a second run with the same seed (a restart, another instance)
 * taking them from the seeded stream would emit the first run's ids for other events, and the
 * consumer would keep one of each pair. They are random UUIDs instead.
 */
export class RatingGenerator {
  readonly viewers: readonly Viewer[];
  private readonly faker: Faker;
  private readonly zipf: ZipfSampler;
  private readonly quality: Float64Array;
  private turn = 0;
  private readonly newId: () => string;
  /** See GeneratorOptions.order; switched when the service moves between interval and rate mode. */
  order: GeneratorOptions['order'];

  constructor(
    private readonly catalogue: Catalogue,
    private readonly options: GeneratorOptions,
  ) {
    this.order = options.order;
    this.newId = options.newId ?? randomUUID;
    this.faker = seededFaker(options.seed);
    this.viewers = createViewers(this.faker, options.users, catalogue.genres());
    this.zipf = new ZipfSampler(catalogue.size, options.zipfExponent ?? 1);
    // Each film's "true" quality, around 6.5 on the 1–10 scale.
    this.quality = Float64Array.from(catalogue.movies, () => 6.5 + normal(this.faker) * 1.2);
  }

  next(now: number): Rating {
    const f = this.faker;
    const viewer =
      this.order === 'round-robin'
        ? this.viewers[this.turn++ % this.viewers.length]
        : this.viewers[Math.floor(f.number.float() * this.viewers.length)];
    const position = this.zipf.sample(f.number.float());
    const movie = this.catalogue.movies[position];
    let taste = 0;
    for (const g of movie.genres) {
      if (viewer.likes.has(g)) taste += TASTE;
      else if (viewer.dislikes.has(g)) taste -= TASTE;
    }
    const score = Math.round(this.quality[position] + viewer.bias + taste + normal(f) * NOISE);
    const late = this.options.lateFraction > 0 && f.number.float() < this.options.lateFraction;
    return {
      id: this.newId(),
      name: viewer.name,
      movie: movie.title,
      rating: Math.min(RATING_MAX, Math.max(RATING_MIN, score)),
      time: late ? now - 1 - Math.floor(f.number.float() * (HOUR_MS - 1)) : now,
    };
  }
}
