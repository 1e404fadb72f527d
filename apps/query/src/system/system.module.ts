import { Module } from '@nestjs/common';
import { FeedModule } from '../feed/feed.module';
import { QueryPlatformModule } from '../platform/platform.module';
import { DeadLetterFeedController, DeadLetterTransport } from './dead-letter-feed';
import { PipelineHealthService } from './pipeline-health.service';
import { DeadLetterWatch, FlushWatch } from './pipeline-watch';
import { SystemController } from './system.controller';
import { SystemService } from './system.service';

/**
 * GET /api/system (ratings/s, the pipeline's consumer lag, this instance's cache figures) and the
 * dashboard's pipeline health (`health` event): flushes heard of through the stats messages, dead
 * letters read from the DLQ topic's end with a group of this instance's own.
 */
@Module({
  imports: [QueryPlatformModule, FeedModule],
  controllers: [SystemController, DeadLetterFeedController],
  providers: [SystemService, FlushWatch, DeadLetterWatch, DeadLetterTransport, PipelineHealthService],
  exports: [SystemService, FlushWatch, DeadLetterTransport, PipelineHealthService],
})
export class SystemModule {}
