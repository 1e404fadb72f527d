import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { KafkaBatch } from '@reeltime/kafka';
import { IngestService } from './ingest.service';
import { RATINGS_TRANSPORT } from './ratings.source';

/** Hands each fetched batch of `ratings` to the ingest; it must not block on Cassandra. */
@Controller()
export class RatingsController {
  constructor(private readonly ingest: IngestService) {}

  @EventPattern('ratings', RATINGS_TRANSPORT)
  onBatch(@Payload() batch: KafkaBatch): void {
    this.ingest.accept(batch);
  }
}
