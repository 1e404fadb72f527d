import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { KafkaConnection } from '@reeltime/kafka';
import { AnswerCache } from '../cache/answer-cache';
import { RatingsFeed } from '../feed/ratings-feed';
import { InstanceId } from '../platform/instance-id';
import { Clock, waitAtMost } from '@reeltime/runtime';

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
/**
 * How long a status waits for a lag read under way. kafkajs retries a broker that is down for a
 * minute or more; meanwhile the lag is unknown (null) rather than GET /api/system and the dashboard's
 * `system` event waiting for it.
 */
export const LAG_WAIT_MS = 500;

/** ratings/s and consumer lag for the dashboard (GET /api/system and the `system` event). */
@Injectable()
export class SystemService {
  private readonly logger = new Logger(SystemService.name);
  private lag: { at: number; value: number | null } | undefined;
  /** The lag read under way: at most one at a time, however many statuses are asked for. */
  private reading: Promise<void> | undefined;

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

  private async consumerLag(): Promise<number | null> {
    if (!this.reading && (!this.lag || this.clock.now() - this.lag.at >= LAG_REFRESH_MS)) {
      const { consumerGroup, topics } = this.config.kafka;
      this.reading = this.kafka
        .lag(consumerGroup, topics.ratings)
        .then(
          (partitions) => {
            this.lag = { at: this.clock.now(), value: partitions.reduce((sum, p) => sum + p.lag, 0) };
          },
          (err: unknown) => {
            this.logger.warn({ msg: 'could not read the consumer lag', err: String(err) });
            this.lag = { at: this.clock.now(), value: null };
          },
        )
        .finally(() => (this.reading = undefined));
    }
    if (!this.reading) return this.lag?.value ?? null;
    const answered = await waitAtMost(this.reading, LAG_WAIT_MS);
    return answered === 'timeout' ? null : (this.lag?.value ?? null);
  }
}
