import { Module, Provider } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AppConfig } from '@reeltime/config';
import { MetricsRegistry, validationPipe } from '@reeltime/observability';
import { Clock, SystemClock } from '@reeltime/runtime';
import { HttpErrorFilter } from '../api/error-edge';
import { RestRateLimit, rateLimitModule } from '../api/rate-limit';
import { AnswerCache } from '../cache/answer-cache';
import { withCacheMetrics } from '../cache/cache.metrics';
import { InstanceId, RandomInstanceId } from './instance-id';
import { ReadDeadline } from './read-deadline';

/** One answer cache per instance, bounded by QUERY_CACHE_*, its figures on /metrics. */
const answerCache: Provider = {
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
};

/**
 * What the feature modules share: the clock, this instance's id, the read deadline, the answer cache,
 * and the API's edge (validation pipe, error filter, per-client rate limits), registered once.
 */
@Module({
  imports: [rateLimitModule],
  providers: [
    { provide: APP_PIPE, useFactory: validationPipe },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
    { provide: Clock, useClass: SystemClock },
    { provide: InstanceId, useClass: RandomInstanceId },
    ReadDeadline,
    answerCache,
    RestRateLimit,
  ],
  exports: [Clock, InstanceId, ReadDeadline, AnswerCache, RestRateLimit],
})
export class QueryPlatformModule {}
