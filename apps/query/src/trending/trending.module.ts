import { Module } from '@nestjs/common';
import { QueryPlatformModule } from '../platform/platform.module';
import { TrendingController } from './trending.controller';
import { CassandraTrendingRepository, TrendingRepository } from './trending.repository';
import { TrendingService } from './trending.service';

/** GET /api/movies/trending: top movies in a sliding window, from the per-minute and per-hour counts. */
@Module({
  imports: [QueryPlatformModule],
  controllers: [TrendingController],
  providers: [{ provide: TrendingRepository, useClass: CassandraTrendingRepository }, TrendingService],
  exports: [TrendingService],
})
export class TrendingModule {}
