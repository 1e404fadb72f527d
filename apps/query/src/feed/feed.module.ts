import { Module } from '@nestjs/common';
import { QueryPlatformModule } from '../platform/platform.module';
import { MovieRatersController } from './movie-raters.controller';
import { FeedController, FeedTransport, RatingsFeed } from './ratings-feed';

/**
 * The dashboard's live ticker, ratings/s and movies' recent raters (GET /api/movies/{movie}/raters),
 * read from `ratings` with a group of this instance's own.
 */
@Module({
  imports: [QueryPlatformModule],
  controllers: [FeedController, MovieRatersController],
  providers: [FeedTransport, RatingsFeed],
  exports: [FeedTransport, RatingsFeed],
})
export class FeedModule {}
