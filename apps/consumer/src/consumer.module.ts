import { getHeapStatistics } from 'node:v8';
import { DynamicModule, Module } from '@nestjs/common';
import { CassandraHealthProbe, CassandraModule } from '@reeltime/cassandra';
import { AppConfig, ConfigModule, Env, checkStatsCacheFitsHeap } from '@reeltime/config';
import { KafkaConnection, KafkaHealthProbe, KafkaModule } from '@reeltime/kafka';
import { ObservabilityModule } from '@reeltime/observability';
import { ConsumerMetrics } from './consumer.metrics';
import { FlushHealth, FlushHealthModule } from './ingest/flush-health';
import { IngestService } from './ingest/ingest.service';
import { RatingsController } from './ingest/ratings.controller';
import { RatingsSource, ratingsTransport } from './ingest/ratings.source';
import { DeadLetterSink } from './publish/dead-letter.sink';
import { KafkaPipelinePublisher, PipelinePublisher } from './publish/pipeline.publisher';
import { ActiveUsers } from './stats/active-users';
import { BatchWriter } from './stats/batch-writer';
import { StatsCache } from './stats/stats-cache';
import { TrendingCounter } from './stats/trending-counter';
import { CassandraRatingsStore } from './storage/cassandra-ratings.store';
import { CassandraDeadLetterStore, DeadLetterStore } from './storage/dead-letter.store';
import { RatingsStore } from './storage/ratings.store';
import { Clock, SystemClock } from '@reeltime/runtime';

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
        FlushHealthModule,
        ObservabilityModule.forRoot({
          service: 'consumer',
          imports: [FlushHealthModule],
          probes: [KafkaHealthProbe, CassandraHealthProbe, FlushHealth],
        }),
      ],
      controllers: [RatingsController],
      providers: [
        { provide: Clock, useClass: SystemClock },
        { provide: RatingsStore, useClass: CassandraRatingsStore },
        { provide: RatingsSource, inject: [KafkaConnection, AppConfig], useFactory: ratingsTransport },
        { provide: PipelinePublisher, useClass: KafkaPipelinePublisher },
        { provide: DeadLetterStore, useClass: CassandraDeadLetterStore },
        DeadLetterSink,
        {
          provide: StatsCache,
          inject: [AppConfig],
          // The bound is checked against the heap this process really has (--max-old-space-size), at
          // start-up rather than when the cache has grown into it.
          useFactory: (c: AppConfig) => {
            checkStatsCacheFitsHeap(c, getHeapStatistics().heap_size_limit);
            return new StatsCache(c.batch.statsCacheMaxBytes);
          },
        },
        ConsumerMetrics,
        TrendingCounter,
        ActiveUsers,
        BatchWriter,
        IngestService,
      ],
    };
  }
}
