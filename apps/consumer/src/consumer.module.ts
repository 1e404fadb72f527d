import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, Env } from '@reeltime/config';
import { CassandraHealthProbe, CassandraModule } from '@reeltime/cassandra';
import { KafkaHealthProbe, KafkaModule } from '@reeltime/kafka';
import { ObservabilityModule } from '@reeltime/observability';

@Module({})
export class ConsumerModule {
  /** `overrides` win over the environment (tests pass their own keyspace, topics and port). */
  static register(overrides: Env = {}): DynamicModule {
    return {
      module: ConsumerModule,
      imports: [
        ConfigModule.forRoot({ overrides }),
        KafkaModule,
        CassandraModule,
        ObservabilityModule.forRoot({ service: 'consumer', probes: [KafkaHealthProbe, CassandraHealthProbe] }),
      ],
    };
  }
}
