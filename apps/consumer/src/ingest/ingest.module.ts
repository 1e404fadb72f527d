import { Module } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { KafkaConnection } from '@reeltime/kafka';
import { PublishModule } from '../publish/publish.module';
import { StatsModule } from '../stats/stats.module';
import { IngestService } from './ingest.service';
import { RatingsController } from './ratings.controller';
import { RatingsSource, ratingsTransport } from './ratings.source';

/** Reading the ratings topic in micro-batches and flushing each: write, publish, then commit. */
@Module({
  imports: [StatsModule, PublishModule],
  controllers: [RatingsController],
  providers: [
    { provide: RatingsSource, inject: [KafkaConnection, AppConfig], useFactory: ratingsTransport },
    IngestService,
  ],
})
export class IngestModule {}
