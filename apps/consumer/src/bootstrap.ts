import { INestApplication } from '@nestjs/common';
import { Env } from '@reeltime/config';
import { startService } from '@reeltime/observability';
import { ConsumerModule } from './consumer.module';

/** Starts the consumer service; tests call this with overrides for their own keyspace, topics and port. */
export function bootstrap(overrides: Env = {}): Promise<INestApplication> {
  return startService(ConsumerModule.register(overrides), {
    title: 'reeltime consumer',
    service: 'consumer',
    docs: true,
  });
}
