import { INestApplication } from '@nestjs/common';
import { Env } from '@reeltime/config';
import { startService } from '@reeltime/observability';
import { ProducerModule } from './producer.module';

/** Starts the producer service; tests call this with overrides for their own keyspace, topics and port. */
export function bootstrap(overrides: Env = {}): Promise<INestApplication> {
  return startService(ProducerModule.register(overrides), {
    title: 'reeltime producer',
    service: 'producer',
    docs: true,
  });
}
