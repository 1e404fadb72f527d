import { Module } from '@nestjs/common';
import { FeedModule } from '../feed/feed.module';
import { QueryPlatformModule } from '../platform/platform.module';
import { StatsModule } from '../stats/stats.module';
import { SystemModule } from '../system/system.module';
import { TrendingModule } from '../trending/trending.module';
import { LiveGateway } from './live.gateway';
import { StatsSubscription, StatsTransport, StatsUpdatesController } from './stats-subscription';

/**
 * socket.io namespace /live, and the `user-hour-stats` subscription that drops stale cache entries
 * and feeds the gateway's per-user pushes.
 */
@Module({
  imports: [QueryPlatformModule, StatsModule, TrendingModule, FeedModule, SystemModule],
  controllers: [StatsUpdatesController],
  providers: [StatsTransport, StatsSubscription, LiveGateway],
  exports: [StatsTransport],
})
export class LiveModule {}
