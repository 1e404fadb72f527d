import { INestApplication } from '@nestjs/common';
import { AppConfig, Env } from '@reeltime/config';
import { startService } from '@reeltime/observability';
import { LiveIoAdapter } from './live/live-io.adapter';
import { QueryModule } from './query.module';

/** Starts the query service; tests call this with overrides for their own keyspace, topics and port. */
export function bootstrap(overrides: Env = {}): Promise<INestApplication> {
  return startService(QueryModule.register(overrides), {
    title: 'reeltime query',
    service: 'query',
    docs: true,
    configure: (app) => {
      app.useWebSocketAdapter(new LiveIoAdapter(app, app.get(AppConfig).query.allowedOrigins));
    },
  });
}
