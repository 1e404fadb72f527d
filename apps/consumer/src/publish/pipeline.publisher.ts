import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { DLQ_HEADERS, FLUSH_HEADER, FlushReport, HourlyStats, encodeFlushReport } from '@reeltime/contracts';
import { KafkaConnection, Producer } from '@reeltime/kafka';
import { DeadLetter } from '../ingest/micro-batcher';
import { BATCH_OVERHEAD, OutgoingRecord, chunkRecords, fitRecord } from './record-size';
import { mapLimit } from '@reeltime/runtime';

/** The consumer's writes to Kafka: dead letters and stats updates, both before the offsets are committed. */
export abstract class PipelinePublisher {
  /** Publishes every letter to the DLQ topic (cut to fit the broker where needed), or throws. */
  abstract deadLetters(letters: DeadLetter[]): Promise<void>;
  /** Publishes the stats updates; the first carries the flush's report (FLUSH_HEADER) when given. */
  abstract stats(stats: HourlyStats[], flush?: FlushReport): Promise<void>;
}

interface TopicShape {
  budget: number;
  partitions: number;
}

/** Concurrent sends per publish: the producer's maxInFlightRequests. */
const SENDS_IN_FLIGHT = 5;

/** Kafka's default `max.message.bytes`, used until the topic's own value has been read. */
const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

@Injectable()
export class KafkaPipelinePublisher extends PipelinePublisher implements OnModuleInit {
  private readonly logger = new Logger(KafkaPipelinePublisher.name);
  private readonly producer: Producer;
  /** Per topic: the bytes one send may carry (its `max.message.bytes` less the batch overhead), its partitions. */
  private readonly shapes = new Map<string, TopicShape>();

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {
    super();
    // Idempotent with acks=all: a retried send after a broker hiccup is not written twice.
    // KafkaConnection disconnects it on shutdown, after the final flush.
    this.producer = kafka.createProducer({ idempotent: true, maxInFlightRequests: SENDS_IN_FLIGHT });
  }

  async onModuleInit(): Promise<void> {
    await this.producer.connect();
  }

  async deadLetters(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const topic = this.config.kafka.topics.dlq;
    const { budget, partitions } = await this.shape(topic);
    await this.send(
      topic,
      budget,
      letters.map((l) => ({
        ...fitRecord(
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
        // By source partition, not by key: a hostile key can be a megabyte long, and kafkajs's murmur2
        // costs about a microsecond per key byte. A source partition's dead letters stay in order.
        partition: l.source.partition % partitions,
      })),
    );
  }

  async stats(stats: HourlyStats[], flush?: FlushReport): Promise<void> {
    if (stats.length === 0) return;
    const topic = this.config.kafka.topics.stats;
    const { budget } = await this.shape(topic);
    await this.send(
      topic,
      budget,
      stats.map((s, i) => ({
        key: s.name,
        value: JSON.stringify(s),
        // One per flush is enough: every query instance reads every partition.
        ...(i === 0 && flush ? { headers: { [FLUSH_HEADER]: encodeFlushReport(flush) } } : {}),
      })),
    );
  }

  /**
   * Sends in chunks that the broker cannot refuse as too large (see chunkRecords), several at a time:
   * a burst of large dead letters makes many chunks, and one round trip each in turn would hold the
   * batch's commit back by seconds. The idempotent producer keeps each partition's order.
   */
  private async send(topic: string, budget: number, records: OutgoingRecord[]): Promise<void> {
    await mapLimit(chunkRecords(records, budget), SENDS_IN_FLIGHT, (messages) =>
      this.producer.send({ topic, acks: -1, messages }),
    );
  }

  /** Read from the broker once per topic; until it can be read, Kafka's default limit is assumed. */
  private async shape(topic: string): Promise<TopicShape> {
    let shape = this.shapes.get(topic);
    if (!shape) {
      try {
        const { maxMessageBytes, partitions } = await this.kafka.topicShape(topic);
        shape = { budget: maxMessageBytes - BATCH_OVERHEAD, partitions };
        this.shapes.set(topic, shape);
        this.logger.log({ msg: 'publishing in sends of at most', topic, bytes: shape.budget });
      } catch (err) {
        this.logger.warn({ msg: 'could not read max.message.bytes; assuming the default', topic, err: String(err) });
        return { budget: KAFKA_DEFAULT_MAX_MESSAGE_BYTES - BATCH_OVERHEAD, partitions: 1 };
      }
    }
    return shape;
  }
}
