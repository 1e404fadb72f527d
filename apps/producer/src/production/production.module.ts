import { Module } from '@nestjs/common';
import { Clock, SystemClock } from '@reeltime/runtime';
import { GenerationModule } from '../generation/generation.module';
import { PublishingModule } from '../publishing/publishing.module';
import { ProducerService } from './producer.service';

/** The production loop: generated ratings, paced, handed to the publisher; started, stopped and re-rated here. */
@Module({
  imports: [GenerationModule, PublishingModule],
  providers: [{ provide: Clock, useClass: SystemClock }, ProducerService],
  exports: [ProducerService],
})
export class ProductionModule {}
