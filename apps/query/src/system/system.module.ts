import { Module } from '@nestjs/common';
import { FeedModule } from '../feed/feed.module';
import { QueryPlatformModule } from '../platform/platform.module';
import { SystemController } from './system.controller';
import { SystemService } from './system.service';

/** GET /api/system: ratings/s, the pipeline's consumer lag and this instance's cache figures. */
@Module({
  imports: [QueryPlatformModule, FeedModule],
  controllers: [SystemController],
  providers: [SystemService],
  exports: [SystemService],
})
export class SystemModule {}
