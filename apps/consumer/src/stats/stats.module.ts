import { getHeapStatistics } from 'node:v8';
import { Module } from '@nestjs/common';
import { AppConfig, checkStatsCacheFitsHeap } from '@reeltime/config';
import { StorageModule } from '../storage/storage.module';
import { ActiveUsers } from './active-users';
import { BatchWriter } from './batch-writer';
import { StatsCache } from './stats-cache';
import { TrendingCounter } from './trending-counter';

/** Writing a micro-batch with exact per-(user, hour) stats and trending counts. */
@Module({
  imports: [StorageModule],
  providers: [
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
    TrendingCounter,
    ActiveUsers,
    BatchWriter,
  ],
  exports: [BatchWriter, StatsCache],
})
export class StatsModule {}
