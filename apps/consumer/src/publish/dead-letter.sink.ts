import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { DeadLetterReason, deadLetterReason } from '@reeltime/contracts';
import { ConsumerMetrics } from '../consumer.metrics';
import { DeadLetter } from '../ingest/micro-batcher';
import { DeadLetterStore } from '../storage/dead-letter.store';
import { PipelinePublisher } from './pipeline.publisher';
import { Clock, withTimeout } from '@reeltime/runtime';

/**
 * Where a batch's dead letters go: the DLQ topic, or, when the broker refuses them or does not answer
 * within one budget (DLQ_PUBLISH_TIMEOUT_MS), the `dead_letters` table. kafkajs retries a send by itself
 * for up to a minute; the batch's ratings must not wait that long for messages nobody is waiting for. Either way the batch's offsets can then be committed, so
 * nothing on this path holds valid ratings back. Throws only when both fail (then Cassandra is failing,
 * and the flush retries as it does for the ratings). A publish that outlives its budget may still land,
 * so a letter can be in both places: delivery is at least once.
 */
@Injectable()
export class DeadLetterSink {
  private readonly logger = new Logger(DeadLetterSink.name);

  constructor(
    private readonly publisher: PipelinePublisher,
    private readonly store: DeadLetterStore,
    private readonly metrics: ConsumerMetrics,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async deliver(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const budgetMs = this.config.batch.deadLetterTimeoutMs;
    try {
      await withTimeout(this.publisher.deadLetters(letters), budgetMs);
      this.count(letters, 'published');
      return;
    } catch (err) {
      this.logger.warn({
        msg: 'dead letters could not be published; storing them in Cassandra',
        count: letters.length,
        err: String(err),
      });
      await this.store.write(
        letters.map((l) => ({
          topic: l.source.topic,
          partition: l.source.partition,
          offset: Number(l.source.offset),
          key: l.key,
          value: l.value,
          reason: l.reason,
        })),
        String(err),
        this.clock.now(),
      );
      this.count(letters, 'stored');
    }
  }

  /** Counts delivered letters by outcome and kind of reason (a bounded label set, unlike the reasons). */
  private count(letters: DeadLetter[], outcome: 'published' | 'stored'): void {
    const byReason = new Map<DeadLetterReason, number>();
    for (const l of letters) {
      const reason = deadLetterReason(l.reason);
      byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    }
    for (const [reason, n] of byReason) this.metrics.deadLetters.inc({ outcome, reason }, n);
  }
}
