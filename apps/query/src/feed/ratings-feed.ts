import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { decodeRatingEvent } from '@reeltime/contracts';
import { Consumer, KafkaConnection } from '@reeltime/kafka';
import { InstanceId } from '../platform/instance-id';
import { StartRetrier, retryRetriable } from '../platform/retry';
import { Clock } from '../platform/clock';
import { LatestSample } from './feed-sample';
import { RateMeter } from './rate-meter';

export interface FeedItem {
  name: string;
  movie: string;
  rating: number;
  time: string;
}

/** How many of the newest ratings one `feed` event carries. */
export const FEED_SAMPLE_SIZE = 3;

/**
 * Reads `ratings` from its end with a group of this instance's own, for the dashboard: it counts every
 * message (ratings/s) and keeps the newest few for the live ticker. It never writes anything.
 */
@Injectable()
export class RatingsFeed implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RatingsFeed.name);
  readonly groupId: string;
  private consumer?: Consumer;
  private running?: Promise<boolean>;
  private readonly retrier = new StartRetrier((err, attempt, retryInMs) =>
    this.logger.warn({ msg: 'could not start the ratings feed', attempt, retryInMs, err: String(err) }),
  );
  private readonly meter = new RateMeter(5);
  private readonly sample = new LatestSample<Buffer>(FEED_SAMPLE_SIZE);

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    instance: InstanceId,
  ) {
    this.groupId = `${config.kafka.queryGroupPrefix}.${instance.value}.feed`;
  }

  onApplicationBootstrap(): void {
    // Not awaited: the ticker and ratings/s are extras; the service starts (and retries) without them.
    this.running = this.retrier.run(() => this.start());
  }

  private async start(): Promise<void> {
    const topic = this.config.kafka.topics.ratings;
    await this.kafka.ensureTopics([topic]);
    const consumer = this.kafka.createConsumer({
      groupId: this.groupId,
      sessionTimeout: 30_000,
      maxWaitTimeInMs: 1000,
    });
    this.consumer = consumer;
    await consumer.connect();
    await retryRetriable(() => consumer.subscribe({ topic, fromBeginning: false }));
    await consumer.run({
      eachBatch: ({ batch }) => {
        this.meter.record(batch.messages.length, this.clock.now());
        // Only the newest few are decoded (and so validated) when a tick takes them.
        for (const m of batch.messages.slice(-FEED_SAMPLE_SIZE)) if (m.value) this.sample.offer(m.value);
        return Promise.resolve();
      },
    });
  }

  ratingsPerSecond(): number {
    return this.meter.perSecond(this.clock.now());
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

  async beforeApplicationShutdown(): Promise<void> {
    // An attempt still under way is not awaited (kafkajs may retry for a minute); KafkaConnection's own
    // shutdown disconnects whatever that attempt created.
    this.retrier.stop();
    if (!this.consumer) return;
    await this.kafka.closeOwnGroup(this.consumer, this.groupId);
  }
}
