import { Module } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { KafkaConnection } from '@reeltime/kafka';
import { EventPublisher } from './event-publisher';
import { KafkaEventPublisher } from './kafka-event-publisher';
import { ProducerMetrics } from './producer-metrics';

/** Where ratings go: the Kafka publisher behind the EventPublisher port, and the producer's figures. */
@Module({
  providers: [
    ProducerMetrics,
    {
      provide: EventPublisher,
      inject: [KafkaConnection, AppConfig, ProducerMetrics],
      useFactory: (kafka: KafkaConnection, config: AppConfig, metrics: ProducerMetrics) =>
        new KafkaEventPublisher(kafka, config, metrics),
    },
  ],
  exports: [EventPublisher, ProducerMetrics],
})
export class PublishingModule {}
