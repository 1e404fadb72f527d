import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { DLQ_HEADERS, HourlyStats } from '@reeltime/contracts';
import { KafkaConnection, Producer } from '@reeltime/kafka';
import { DeadLetter } from '../ingest/micro-batcher';

/** The consumer's writes to Kafka: dead letters (before a commit) and stats updates (after it). */
export abstract class PipelinePublisher {
  abstract deadLetters(letters: DeadLetter[]): Promise<void>;
  abstract stats(stats: HourlyStats[]): Promise<void>;
}

@Injectable()
export class KafkaPipelinePublisher extends PipelinePublisher implements OnModuleInit {
  private readonly producer: Producer;

  constructor(
    kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {
    super();
    // Idempotent with acks=all: a retried send after a broker hiccup is not written twice.
    // KafkaConnection disconnects it on shutdown, after the final flush.
    this.producer = kafka.createProducer({ idempotent: true, maxInFlightRequests: 5 });
  }

  async onModuleInit(): Promise<void> {
    await this.producer.connect();
  }

  async deadLetters(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.producer.send({
      topic: this.config.kafka.topics.dlq,
      acks: -1,
      messages: letters.map((l) => ({
        key: l.key,
        value: l.value,
        headers: {
          [DLQ_HEADERS.error]: l.reason,
          [DLQ_HEADERS.sourceTopic]: l.source.topic,
          [DLQ_HEADERS.sourcePartition]: String(l.source.partition),
          [DLQ_HEADERS.sourceOffset]: l.source.offset,
        },
      })),
    });
  }

  async stats(stats: HourlyStats[]): Promise<void> {
    if (stats.length === 0) return;
    await this.producer.send({
      topic: this.config.kafka.topics.stats,
      acks: -1,
      messages: stats.map((s) => ({ key: s.name, value: JSON.stringify(s) })),
    });
  }
}
