import { DynamicModule, Module } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { ConfigModule, Env } from '@reeltime/config';
import { KafkaHealthProbe, KafkaModule } from '@reeltime/kafka';
import { ObservabilityModule, validationPipe } from '@reeltime/observability';
import { ControlModule } from './control/control.module';

/**
 * The producer service: settings, Kafka (its one dependency, and so its readiness), logs/metrics/health,
 * and the control API over the production loop. It never reads or writes Cassandra.
 */
@Module({})
export class ProducerModule {
  /** `overrides` win over the environment (tests pass their own topics and port). */
  static register(overrides: Env = {}): DynamicModule {
    return {
      module: ProducerModule,
      imports: [
        ConfigModule.forRoot({ overrides }),
        KafkaModule,
        ObservabilityModule.forRoot({ service: 'producer', probes: [KafkaHealthProbe] }),
        ControlModule,
      ],
      providers: [{ provide: APP_PIPE, useFactory: validationPipe }],
    };
  }
}
