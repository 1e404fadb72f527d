import { Module } from '@nestjs/common';
import { StorageModule } from '../storage/storage.module';
import { DeadLetterSink } from './dead-letter.sink';
import { KafkaPipelinePublisher, PipelinePublisher } from './pipeline.publisher';

/** What the pipeline sends on: stats updates and dead letters (to Kafka, dead letters falling back to a table). */
@Module({
  imports: [StorageModule],
  providers: [{ provide: PipelinePublisher, useClass: KafkaPipelinePublisher }, DeadLetterSink],
  exports: [PipelinePublisher, DeadLetterSink],
})
export class PublishModule {}
