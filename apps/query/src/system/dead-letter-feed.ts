import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { KafkaBatch } from '@reeltime/kafka';
import { Clock } from '@reeltime/runtime';
import { instanceTransport } from '../platform/instance-transport';
import { DeadLetterWatch } from './pipeline-watch';

export const DEAD_LETTER_TRANSPORT = Symbol('ratings-dlq');

/** Reads the DLQ topic from its end, for the dashboard's dead letters per minute and latest reasons. */
export class DeadLetterTransport extends instanceTransport({
  purpose: 'dlq',
  topic: (config) => ({ 'ratings-dlq': config.kafka.topics.dlq }),
  consumer: { sessionTimeout: 30_000, maxWaitTimeInMs: 1000 },
  start: 'latest',
  waitMs: 0,
  id: DEAD_LETTER_TRANSPORT,
}) {}

@Controller()
export class DeadLetterFeedController {
  constructor(
    private readonly watch: DeadLetterWatch,
    private readonly clock: Clock,
  ) {}

  @EventPattern('ratings-dlq', DEAD_LETTER_TRANSPORT)
  onDeadLetters(@Payload() batch: KafkaBatch): void {
    this.watch.record(batch.messages, this.clock.now());
  }
}
