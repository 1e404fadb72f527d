import { INestApplication } from '@nestjs/common';
import { Env } from '@reeltime/config';
import { startService } from '@reeltime/observability';
import { ConsumerModule } from './consumer.module';
import { RatingsSource } from './ingest/ratings.source';

/** Starts the consumer service; tests call this with overrides for their own keyspace, topics and port. */
export function bootstrap(overrides: Env = {}): Promise<INestApplication> {
  return startService(ConsumerModule.register(overrides), {
    title: 'reeltime consumer',
    service: 'consumer',
    docs: true,
    // A hybrid app: HTTP for health and metrics, and the `ratings` transport for the pipeline.
    configure: (app) => void app.connectMicroservice({ strategy: app.get(RatingsSource) }),
  });
}
