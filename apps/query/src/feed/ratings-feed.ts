import { Controller, Injectable } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { AppConfig } from '@reeltime/config';
import { Rating, decodeRatingEvent } from '@reeltime/contracts';
import { KafkaBatch } from '@reeltime/kafka';
import { instanceTransport } from '../platform/instance-transport';
import { LatestSample } from './feed-sample';
import { MovieRaters, Rater } from './movie-raters';
import { Clock, RateMeter } from '@reeltime/runtime';

export interface FeedItem {
  name: string;
  movie: string;
  rating: number;
  time: string;
}

/** How many of the newest ratings one `feed` event carries. */
export const FEED_SAMPLE_SIZE = 3;

export const FEED_TRANSPORT = Symbol('ratings-feed');

/**
 * Reads `ratings` from its end, for the dashboard. The ticker and ratings/s are extras: the service
 * starts (and the transport keeps retrying) without them.
 */
export class FeedTransport extends instanceTransport({
  purpose: 'feed',
  topic: (config) => ({ ratings: config.kafka.topics.ratings }),
  consumer: { sessionTimeout: 30_000, maxWaitTimeInMs: 1000 },
  start: 'latest',
  waitMs: 0,
  id: FEED_TRANSPORT,
}) {}

/**
 * Counts every rating (ratings/s), keeps the newest few for the live ticker and the newest raters of
 * recently rated movies. It never writes anything.
 */
@Injectable()
export class RatingsFeed {
  private readonly meter = new RateMeter(5);
  private readonly sample = new LatestSample<Rating>(FEED_SAMPLE_SIZE);
  private readonly movieRaters = new MovieRaters();
  private readonly since: number;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.since = clock.now();
  }

  /**
   * Every rating is decoded (and so validated): the raters must be all of them, not a sample. About
   * 2 µs each; what does not decode is the consumer's to dead-letter, and is skipped here.
   */
  record(batch: KafkaBatch): void {
    const now = this.clock.now();
    this.meter.record(batch.messages.length, now);
    const options = {
      now,
      maxFutureSkewMs: this.config.batch.maxFutureSkewMs,
      maxBytes: this.config.batch.maxMessageBytes,
    };
    for (const m of batch.messages) {
      if (!m.value) continue;
      const decoded = decodeRatingEvent(m.value, options);
      if (!decoded.ok) continue;
      this.movieRaters.add(decoded.rating);
      this.sample.offer(decoded.rating);
    }
  }

  ratingsPerSecond(): number {
    return this.meter.rate(this.clock.now());
  }

  /** The newest valid ratings since the last call, oldest first. */
  take(): FeedItem[] {
    return this.sample
      .take()
      .map(({ name, movie, rating, time }) => ({ name, movie, rating, time: new Date(time).toISOString() }));
  }

  /** A movie's newest raters this instance saw, newest first, and since when it has been watching. */
  raters(movie: string, limit: number): { movie: string; since: string; raters: Rater[] } {
    return { movie, since: new Date(this.since).toISOString(), raters: this.movieRaters.raters(movie, limit) };
  }
}

@Controller()
export class FeedController {
  constructor(private readonly feed: RatingsFeed) {}

  @EventPattern('ratings', FEED_TRANSPORT)
  onRatings(@Payload() batch: KafkaBatch): void {
    this.feed.record(batch);
  }
}
