import { DynamicModule, Module } from '@nestjs/common';
import { CassandraHealthProbe, CassandraModule } from '@reeltime/cassandra';
import { ConfigModule, Env } from '@reeltime/config';
import { KafkaHealthProbe, KafkaModule } from '@reeltime/kafka';
import { ObservabilityModule } from '@reeltime/observability';
import { ConsumerCoreModule } from './consumer-core.module';
import { FlushHealth, FlushHealthModule } from './ingest/flush-health';
import { IngestModule } from './ingest/ingest.module';

/**
 * The consumer: IngestModule (ratings topic → micro-batches → flush) over StatsModule (exact stats and
 * trending), PublishModule (stats updates, dead letters) and StorageModule (the tables).
 */
@Module({})
export class ConsumerModule {
  /** `overrides` win over the environment (tests pass their own keyspace, topics and port). */
  static register(overrides: Env = {}): DynamicModule {
    return {
      module: ConsumerModule,
      imports: [
        ConfigModule.forRoot({ overrides }),
        KafkaModule,
        CassandraModule.forRoot({ closeConnectionOnTimeout: true }),
        ObservabilityModule.forRoot({
          service: 'consumer',
          imports: [FlushHealthModule],
          probes: [KafkaHealthProbe, CassandraHealthProbe, FlushHealth],
        }),
        ConsumerCoreModule,
        IngestModule,
      ],
    };
  }
}
