import { Logger } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { Rating, encodeRatingEvent } from '@reeltime/contracts';
import { KafkaConnection, Producer } from '@reeltime/kafka';
import { EventPublisher, PublisherStats } from './event-publisher';
import { ProducerMetrics } from './producer-metrics';
import { SendBatcher, SendBatcherOptions } from './send-batcher';

interface OutgoingMessage {
  key: string;
  value: Buffer;
}

export const DEFAULT_BATCHING: SendBatcherOptions = {
  maxBatch: 10_000,
  lingerMs: 5,
  maxPending: 50_000,
  retryDelayMs: 250,
  maxRetryDelayMs: 5_000,
};

/**
 * Publishes ratings to the `ratings` topic, key = viewer name (so one viewer's ratings share a
 * partition and stay in order), value = the contract's wire form (encodeRatingEvent). Idempotent
 * producer with acks=all; sends are batched by SendBatcher, which retries a failed batch until the
 * broker takes it (e.g. across a broker restart).
 */
export class KafkaEventPublisher extends EventPublisher {
  private readonly logger = new Logger(KafkaEventPublisher.name);
  private producer?: Producer;
  private readonly batcher: SendBatcher<OutgoingMessage>;
  private sent = 0;
  private errors = 0;

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
    private readonly metrics?: ProducerMetrics,
    batching: SendBatcherOptions = DEFAULT_BATCHING,
  ) {
    super();
    this.batcher = new SendBatcher((batch) => this.send(batch), batching, {
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
    });
  }

  async connect(): Promise<void> {
    const topic = this.config.kafka.topics.ratings;
    await this.kafka.ensureTopics([topic]);
    this.producer = this.kafka.createProducer({
      idempotent: true,
      maxInFlightRequests: 1,
      // A bounded retry per send, so a long outage surfaces as counted, logged errors; SendBatcher then
      // re-sends the same batch (same sequence numbers), which keeps the idempotence guarantee.
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 },
    });
    await this.producer.connect();
  }

  private async send(batch: OutgoingMessage[]): Promise<void> {
    if (!this.producer) throw new Error('publisher is not connected');
    await this.producer.send({ topic: this.config.kafka.topics.ratings, acks: -1, messages: batch });
  }

  publish(rating: Rating): void {
    this.batcher.push({ key: rating.name, value: encodeRatingEvent(rating) });
  }

  get writable(): boolean {
    return this.batcher.writable;
  }

  whenWritable(): Promise<void> {
    return this.batcher.whenWritable();
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }

  async close(timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.batcher.flush().then(() => 'flushed' as const), timedOut]);
    clearTimeout(timer);
    const lost = outcome === 'timeout' ? this.batcher.abandon() : 0;
    if (lost > 0) this.logger.error({ msg: 'gave up on unacknowledged events at shutdown', events: lost, timeoutMs });
    await this.producer?.disconnect();
    this.producer = undefined;
    return lost;
  }

  stats(): PublisherStats {
    return { sent: this.sent, errors: this.errors, pending: this.batcher.pending };
  }
}
