import { Controller, Injectable } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { AppConfig } from '@reeltime/config';
import { decodeRatingEvent } from '@reeltime/contracts';
import { KafkaBatch } from '@reeltime/kafka';
import { instanceTransport } from '../platform/instance-transport';
import { LatestSample } from './feed-sample';
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

/** Counts every rating (ratings/s) and keeps the newest few for the live ticker. It never writes anything. */
@Injectable()
export class RatingsFeed {
  private readonly meter = new RateMeter(5);
  private readonly sample = new LatestSample<Buffer>(FEED_SAMPLE_SIZE);

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  record(batch: KafkaBatch): void {
    this.meter.record(batch.messages.length, this.clock.now());
    // Only the newest few are decoded (and so validated) when a tick takes them.
    for (const m of batch.messages.slice(-FEED_SAMPLE_SIZE)) if (m.value) this.sample.offer(m.value);
  }

  ratingsPerSecond(): number {
    return this.meter.rate(this.clock.now());
  }

  /** The newest valid ratings since the last call, oldest first. */
  take(): FeedItem[] {
    const now = this.clock.now();
    const items: FeedItem[] = [];
    for (const value of this.sample.take()) {
      const decoded = decodeRatingEvent(value, {
        now,
        maxFutureSkewMs: this.config.batch.maxFutureSkewMs,
        maxBytes: this.config.batch.maxMessageBytes,
      });
      if (!decoded.ok) continue; // the consumer dead-letters it; the ticker just skips it
      const { name, movie, rating, time } = decoded.rating;
      items.push({ name, movie, rating, time: new Date(time).toISOString() });
    }
    return items;
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
