import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from '@reeltime/runtime';
import { ConsumerMetrics } from './consumer.metrics';
import { FlushHealthModule } from './ingest/flush-health';

/** What every part of the consumer shares: the clock, its metrics and the flush health. */
@Global()
@Module({
  imports: [FlushHealthModule],
  providers: [{ provide: Clock, useClass: SystemClock }, ConsumerMetrics],
  exports: [Clock, ConsumerMetrics, FlushHealthModule],
})
export class ConsumerCoreModule {}
