import { DynamicModule, Module } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { AppConfig, ConfigModule, Env } from '@reeltime/config';
import { CassandraHealthProbe, CassandraModule } from '@reeltime/cassandra';
import { KafkaConnection, KafkaHealthProbe, KafkaModule } from '@reeltime/kafka';
import { ObservabilityModule, validationPipe } from '@reeltime/observability';
import { ProducerController } from './control/producer.controller';
import { ProducerService } from './production/producer.service';
import { EventPublisher } from './publishing/event-publisher';
import { KafkaEventPublisher } from './publishing/kafka-event-publisher';
import { ProducerMetrics } from './publishing/producer-metrics';
import { Clock, SystemClock } from '@reeltime/runtime';

@Module({})
export class ProducerModule {
  /** `overrides` win over the environment (tests pass their own keyspace, topics and port). */
  static register(overrides: Env = {}): DynamicModule {
    return {
      module: ProducerModule,
      imports: [
        ConfigModule.forRoot({ overrides }),
        KafkaModule,
        CassandraModule,
        ObservabilityModule.forRoot({ service: 'producer', probes: [KafkaHealthProbe, CassandraHealthProbe] }),
      ],
      controllers: [ProducerController],
      providers: [
        { provide: APP_PIPE, useFactory: validationPipe },
        { provide: Clock, useClass: SystemClock },
        ProducerMetrics,
        {
          provide: EventPublisher,
          inject: [KafkaConnection, AppConfig, ProducerMetrics],
          useFactory: (kafka: KafkaConnection, config: AppConfig, metrics: ProducerMetrics) =>
            new KafkaEventPublisher(kafka, config, metrics),
        },
        ProducerService,
      ],
    };
  }
}
