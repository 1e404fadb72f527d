import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { KafkaConnection } from '@reeltime/kafka';
import { AnswerCache } from '../cache/answer-cache';
import { RatingsFeed } from '../feed/ratings-feed';
import { Clock } from '../platform/clock';
import { InstanceId } from '../platform/instance-id';

export interface SystemStatus {
  instance: string;
  time: string;
  ratingsPerSecond: number;
  /** Messages on the ratings topic the pipeline's consumer group has not committed yet (null: unknown). */
  consumerLag: number | null;
  consumerGroup: string;
  cache: { enabled: boolean; entries: number; hits: number; misses: number };
}

const LAG_REFRESH_MS = 2000;

/** ratings/s and consumer lag for the dashboard (GET /api/system and the `system` event). */
@Injectable()
export class SystemService {
  private readonly logger = new Logger(SystemService.name);
  private lag: { at: number; value: Promise<number | null> } | undefined;

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
    private readonly feed: RatingsFeed,
    private readonly cache: AnswerCache,
    private readonly clock: Clock,
    private readonly instance: InstanceId,
  ) {}

  async status(): Promise<SystemStatus> {
    return {
      instance: this.instance.value,
      time: new Date(this.clock.now()).toISOString(),
      ratingsPerSecond: this.feed.ratingsPerSecond(),
      consumerLag: await this.consumerLag(),
      consumerGroup: this.config.kafka.consumerGroup,
      cache: {
        enabled: this.cache.isEnabled,
        entries: this.cache.size,
        hits: this.cache.hits,
        misses: this.cache.misses,
      },
    };
  }

  private consumerLag(): Promise<number | null> {
    const now = this.clock.now();
    if (!this.lag || now - this.lag.at >= LAG_REFRESH_MS) {
      const { consumerGroup, topics } = this.config.kafka;
      const value = this.kafka.lag(consumerGroup, topics.ratings).then(
        (partitions) => partitions.reduce((sum, p) => sum + p.lag, 0),
        (err: unknown) => {
          this.logger.warn({ msg: 'could not read the consumer lag', err: String(err) });
          return null;
        },
      );
      this.lag = { at: now, value };
    }
    return this.lag.value;
  }
}
