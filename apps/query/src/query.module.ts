import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AppConfig, ConfigModule, Env } from '@reeltime/config';
import { CassandraHealthProbe, CassandraModule } from '@reeltime/cassandra';
import { KafkaHealthProbe, KafkaModule } from '@reeltime/kafka';
import { MetricsRegistry, ObservabilityModule } from '@reeltime/observability';
import { HttpExceptionFilter } from './api/http-exception.filter';
import { RestRateLimit, rateLimitModule } from './api/rate-limit';
import { validationPipe } from '@reeltime/observability';
import { AnswerCache } from './cache/answer-cache';
import { withCacheMetrics } from './cache/cache.metrics';
import { DashboardController } from './dashboard/dashboard.controller';
import { FeedController, FeedTransport, RatingsFeed } from './feed/ratings-feed';
import { LiveGateway } from './live/live.gateway';
import { InstanceId, RandomInstanceId } from './platform/instance-id';
import { ReadDeadline } from './platform/read-deadline';
import { CassandraStatsRepository, StatsRepository } from './stats/stats.repository';
import { StatsService } from './stats/stats.service';
import { UsersController } from './stats/users.controller';
import { SystemController } from './system/system.controller';
import { SystemService } from './system/system.service';
import { TrendingController } from './trending/trending.controller';
import { CassandraTrendingRepository, TrendingRepository } from './trending/trending.repository';
import { TrendingService } from './trending/trending.service';
import { StatsSubscription, StatsTransport, StatsUpdatesController } from './updates/stats-subscription';
import { Clock, SystemClock } from '@reeltime/runtime';

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
        ObservabilityModule.forRoot({ service: 'query', probes: [KafkaHealthProbe, CassandraHealthProbe] }),
        rateLimitModule,
      ],
      controllers: [
        UsersController,
        TrendingController,
        SystemController,
        DashboardController,
        StatsUpdatesController,
        FeedController,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: validationPipe },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: Clock, useClass: SystemClock },
        { provide: InstanceId, useClass: RandomInstanceId },
        ReadDeadline,
        RestRateLimit,
        { provide: StatsRepository, useClass: CassandraStatsRepository },
        { provide: TrendingRepository, useClass: CassandraTrendingRepository },
        {
          provide: AnswerCache,
          inject: [AppConfig, MetricsRegistry, Clock],
          useFactory: (config: AppConfig, metrics: MetricsRegistry, clock: Clock) =>
            withCacheMetrics(
              new AnswerCache(config.query.cacheMaxEntries, {
                ttlMs: config.query.cacheTtlMs,
                clock,
                maxBytes: config.query.cacheMaxBytes,
                missTtlMs: config.query.cacheMissTtlMs,
              }),
              metrics,
            ),
        },
        StatsService,
        TrendingService,
        StatsTransport,
        StatsSubscription,
        FeedTransport,
        RatingsFeed,
        SystemService,
        LiveGateway,
      ],
    };
  }
}
