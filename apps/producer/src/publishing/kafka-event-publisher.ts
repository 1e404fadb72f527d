import { Logger } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { Rating, encodeRatingEvent } from '@reeltime/contracts';
import { KafkaConnection, Producer } from '@reeltime/kafka';
import { EventPublisher, PublisherStats } from './event-publisher';
import { ProducerMetrics } from './producer-metrics';
import { SendBatcher, SendBatcherOptions } from './send-batcher';
import { bucketOf, waitAtMost } from '@reeltime/runtime';

interface OutgoingMessage {
  key: string;
  value: Buffer;
}

export interface PublisherOptions extends SendBatcherOptions {
  /**
   * Independent idempotent producers, each with one send in flight; a viewer always uses the same
   * lane (hash of the name), so one viewer's events stay in order. Two lanes let the next request be
   * encoded while the broker handles the previous one.
   */
  lanes: number;
}

export const DEFAULT_PUBLISHING: PublisherOptions = {
  lanes: 2,
  maxBatch: 10_000,
  lingerMs: 5,
  maxPending: 50_000,
  retryDelayMs: 250,
  maxRetryDelayMs: 5_000,
};

/** FNV-1a over the UTF-16 code units: cheap, stable, and spreads viewer names evenly over lanes. */
export function laneOf(name: string, lanes: number): number {
  return bucketOf(name, lanes);
}

interface Lane {
  batcher: SendBatcher<OutgoingMessage>;
  producer?: Producer;
}

/**
 * Publishes ratings to the `ratings` topic, key = viewer name (so one viewer's ratings share a
 * partition and stay in order), value = the contract's wire form (encodeRatingEvent). Idempotent
 * producers with acks=all; sends are batched by SendBatcher, which retries a failed batch until the
 * broker takes it (e.g. across a broker restart).
 */
export class KafkaEventPublisher extends EventPublisher {
  private readonly logger = new Logger(KafkaEventPublisher.name);
  private readonly lanes: Lane[];
  private sent = 0;
  private errors = 0;

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
    private readonly metrics?: ProducerMetrics,
    options: PublisherOptions = DEFAULT_PUBLISHING,
  ) {
    super();
    const perLane = {
      ...options,
      maxPending: Math.max(options.maxBatch, Math.ceil(options.maxPending / options.lanes)),
    };
    this.lanes = Array.from({ length: options.lanes }, () => {
      const lane: Lane = {
        batcher: new SendBatcher((batch) => this.send(lane, batch), perLane, {
          onSent: (count, ms) => {
            this.sent += count;
            this.metrics?.sent.inc(count);
            this.metrics?.batchSize.observe(count);
            this.metrics?.sendSeconds.observe(ms / 1000);
          },
          onError: (err, count, attempt) => {
            this.errors += 1;
            this.metrics?.errors.inc();
            this.logger.warn({ msg: 'send failed, retrying the same batch', events: count, attempt, err: String(err) });
          },
        }),
      };
      return lane;
    });
  }

  async connect(): Promise<void> {
    await this.kafka.ensureTopics([this.config.kafka.topics.ratings]);
    for (const lane of this.lanes) {
      lane.producer = this.kafka.createProducer({
        idempotent: true,
        maxInFlightRequests: 1,
        // A bounded retry per send, so a long outage surfaces as counted, logged errors; SendBatcher then
        // re-sends the same batch (same sequence numbers), which keeps the idempotence guarantee.
        retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 },
      });
      await lane.producer.connect();
    }
  }

  private async send(lane: Lane, batch: OutgoingMessage[]): Promise<void> {
    if (!lane.producer) throw new Error('publisher is not connected');
    await lane.producer.send({ topic: this.config.kafka.topics.ratings, acks: -1, messages: batch });
  }

  private laneFor(name: string): Lane {
    return this.lanes.length === 1 ? this.lanes[0] : this.lanes[laneOf(name, this.lanes.length)];
  }

  publish(rating: Rating): void {
    this.laneFor(rating.name).batcher.push({ key: rating.name, value: encodeRatingEvent(rating) });
  }

  get writable(): boolean {
    return this.lanes.every((l) => l.batcher.writable);
  }

  async whenWritable(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.batcher.whenWritable()));
  }

  async flush(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.batcher.flush()));
  }

  async close(timeoutMs: number): Promise<number> {
    const outcome = await waitAtMost(this.flush(), timeoutMs);
    const lost = outcome === 'timeout' ? this.lanes.reduce((sum, l) => sum + l.batcher.abandon(), 0) : 0;
    if (lost > 0) this.logger.error({ msg: 'gave up on unacknowledged events at shutdown', events: lost, timeoutMs });
    for (const lane of this.lanes) {
      await lane.producer?.disconnect();
      lane.producer = undefined;
    }
    return lost;
  }

  stats(): PublisherStats {
    return { sent: this.sent, errors: this.errors, pending: this.lanes.reduce((s, l) => s + l.batcher.pending, 0) };
  }
}
