import { DynamicModule, Module } from '@nestjs/common';
import { CassandraHealthProbe, CassandraModule } from '@reeltime/cassandra';
import { ConfigModule, Env } from '@reeltime/config';
import { KafkaHealthProbe, KafkaModule } from '@reeltime/kafka';
import { ObservabilityModule } from '@reeltime/observability';
import { DashboardModule } from './dashboard/dashboard.module';
import { FeedModule } from './feed/feed.module';
import { LiveModule } from './live/live.module';
import { QueryPlatformModule } from './platform/platform.module';
import { StatsModule } from './stats/stats.module';
import { SystemModule } from './system/system.module';
import { TrendingModule } from './trending/trending.module';

/** The query service: the libs' clients and health, the shared platform, and one module per feature. */
@Module({})
export class QueryModule {
  /** `overrides` win over the environment (tests pass their own keyspace, topics and port). */
  static register(overrides: Env = {}): DynamicModule {
    return {
      module: QueryModule,
      imports: [
        ConfigModule.forRoot({ overrides }),
        KafkaModule,
        CassandraModule,
        QueryPlatformModule,
        StatsModule,
        TrendingModule,
        LiveModule,
        FeedModule,
        DashboardModule,
        SystemModule,
        // After the features: the OpenAPI document lists their routes first, then health and metrics.
        ObservabilityModule.forRoot({ service: 'query', probes: [KafkaHealthProbe, CassandraHealthProbe] }),
      ],
    };
  }
}
