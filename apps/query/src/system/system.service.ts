import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { KafkaConnection, PartitionLag } from '@reeltime/kafka';
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

interface LagReading {
  at: number;
  /** Total lag; null when the read failed. */
  value: number | null;
  partitions: PartitionLag[];
  /** Sum of the committed offsets; null when the read failed. */
  committed: number | null;
}

const LAG_REFRESH_MS = 2000;
/** ratings/s written are averaged over this long (at least two batch intervals at the default 30 s). */
const WRITTEN_WINDOW_MS = 60_000;
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
  private lag: LagReading | undefined;
  /**
   * [time, sum of committed offsets] of the good reads of the last WRITTEN_WINDOW_MS, oldest first: the
   * group commits once a batch interval (30 s by default), so a rate between two reads 2 s apart is
   * mostly 0 with a spike; over a minute it is what was written.
   */
  private committedReads: Array<[number, number]> = [];
  private written: number | null = null;
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

  /**
   * The lag per partition and the group's write rate as of the latest read (refreshed as status() does);
   * `answered` is false when Kafka did not answer the latest read (or not within LAG_WAIT_MS).
   */
  async lagDetail(): Promise<{
    answered: boolean;
    total: number | null;
    partitions: PartitionLag[];
    written: number | null;
  }> {
    const total = await this.consumerLag();
    const partitions = this.lag?.partitions ?? [];
    return { answered: total !== null, total, partitions, written: total === null ? null : this.written };
  }

  private lagRead(partitions: PartitionLag[]): void {
    const at = this.clock.now();
    // Partitions the group has not committed to yet (-1) count from 0, as in both reads alike.
    const committed = partitions.reduce((sum, p) => sum + Math.max(0, p.committed), 0);
    this.committedReads.push([at, committed]);
    while (this.committedReads.length > 2 && at - this.committedReads[1][0] >= WRITTEN_WINDOW_MS) {
      this.committedReads.shift();
    }
    const [from, fromCommitted] = this.committedReads[0];
    this.written = at > from ? Math.max(0, ((committed - fromCommitted) * 1000) / (at - from)) : null;
    this.lag = { at, value: partitions.reduce((sum, p) => sum + p.lag, 0), partitions, committed };
  }

  private async consumerLag(): Promise<number | null> {
    if (!this.reading && (!this.lag || this.clock.now() - this.lag.at >= LAG_REFRESH_MS)) {
      const { consumerGroup, topics } = this.config.kafka;
      this.reading = this.kafka
        .lag(consumerGroup, topics.ratings)
        .then(
          (partitions) => this.lagRead(partitions),
          (err: unknown) => {
            this.logger.warn({ msg: 'could not read the consumer lag', err: String(err) });
            this.lag = { at: this.clock.now(), value: null, partitions: [], committed: null };
            this.written = null;
            this.committedReads = [];
          },
        )
        .finally(() => (this.reading = undefined));
    }
    if (!this.reading) return this.lag?.value ?? null;
    const answered = await waitAtMost(this.reading, LAG_WAIT_MS);
    return answered === 'timeout' ? null : (this.lag?.value ?? null);
  }
}
