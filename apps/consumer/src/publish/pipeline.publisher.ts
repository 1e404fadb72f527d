import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { DLQ_HEADERS, HourlyStats } from '@reeltime/contracts';
import { KafkaConnection, Producer } from '@reeltime/kafka';
import { DeadLetter } from '../ingest/micro-batcher';
import { BATCH_OVERHEAD, OutgoingRecord, chunkBySize, fitRecord } from './record-size';

/** The consumer's writes to Kafka: dead letters and stats updates, both before the offsets are committed. */
export abstract class PipelinePublisher {
  /** Publishes every letter to the DLQ topic (cut to fit the broker where needed), or throws. */
  abstract deadLetters(letters: DeadLetter[]): Promise<void>;
  abstract stats(stats: HourlyStats[]): Promise<void>;
}

/** Kafka's default `max.message.bytes`, used until the topic's own value has been read. */
const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

@Injectable()
export class KafkaPipelinePublisher extends PipelinePublisher implements OnModuleInit {
  private readonly logger = new Logger(KafkaPipelinePublisher.name);
  private readonly producer: Producer;
  /** Per topic, the bytes one send may carry (the topic's `max.message.bytes` less the batch overhead). */
  private readonly budgets = new Map<string, number>();

  constructor(
    private readonly kafka: KafkaConnection,
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
    const topic = this.config.kafka.topics.dlq;
    const budget = await this.budget(topic);
    await this.send(
      topic,
      budget,
      letters.map((l) =>
        fitRecord(
          {
            key: l.key,
            value: l.value,
            headers: {
              [DLQ_HEADERS.error]: l.reason,
              [DLQ_HEADERS.sourceTopic]: l.source.topic,
              [DLQ_HEADERS.sourcePartition]: String(l.source.partition),
              [DLQ_HEADERS.sourceOffset]: l.source.offset,
            },
          },
          budget,
        ),
      ),
    );
  }

  async stats(stats: HourlyStats[]): Promise<void> {
    if (stats.length === 0) return;
    const topic = this.config.kafka.topics.stats;
    await this.send(
      topic,
      await this.budget(topic),
      stats.map((s) => ({ key: s.name, value: JSON.stringify(s) })),
    );
  }

  /** Sends in chunks that the broker cannot refuse as too large (see chunkBySize). */
  private async send(topic: string, budget: number, records: OutgoingRecord[]): Promise<void> {
    for (const messages of chunkBySize(records, budget)) {
      await this.producer.send({ topic, acks: -1, messages });
    }
  }

  /** Read from the broker once per topic; until it can be read, Kafka's default limit is assumed. */
  private async budget(topic: string): Promise<number> {
    let budget = this.budgets.get(topic);
    if (budget === undefined) {
      try {
        budget = (await this.kafka.maxMessageBytes(topic)) - BATCH_OVERHEAD;
        this.budgets.set(topic, budget);
        this.logger.log({ msg: 'publishing in sends of at most', topic, bytes: budget });
      } catch (err) {
        this.logger.warn({ msg: 'could not read max.message.bytes; assuming the default', topic, err: String(err) });
        return KAFKA_DEFAULT_MAX_MESSAGE_BYTES - BATCH_OVERHEAD;
      }
    }
    return budget;
  }
}
