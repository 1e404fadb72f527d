import { Module } from '@nestjs/common';
import { QueryPlatformModule } from '../platform/platform.module';
import { FeedController, FeedTransport, RatingsFeed } from './ratings-feed';

/** The dashboard's live ticker and ratings/s, read from `ratings` with a group of this instance's own. */
@Module({
  imports: [QueryPlatformModule],
  controllers: [FeedController],
  providers: [FeedTransport, RatingsFeed],
  exports: [FeedTransport, RatingsFeed],
})
export class FeedModule {}
