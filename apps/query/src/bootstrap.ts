import { INestApplication } from '@nestjs/common';
import { AppConfig, Env } from '@reeltime/config';
import { startService } from '@reeltime/observability';
import { LiveIoAdapter } from './live/live-io.adapter';
import { QueryModule } from './query.module';
import { cachedAnswers } from './stats/cached-answers.middleware';
import { StatsService } from './stats/stats.service';

/** Starts the query service; tests call this with overrides for their own keyspace, topics and port. */
export function bootstrap(overrides: Env = {}): Promise<INestApplication> {
  return startService(QueryModule.register(overrides), {
    title: 'reeltime query',
    service: 'query',
    docs: true,
    configure: (app) => {
      // Answers change with every commit and are cached here; hashing each body for an ETag costs more than it saves.
      (app.getHttpAdapter().getInstance() as { set(key: string, value: unknown): void }).set('etag', false);
      app.use(cachedAnswers(app.get(StatsService)));
      app.useWebSocketAdapter(new LiveIoAdapter(app, app.get(AppConfig).query.allowedOrigins));
    },
  });
}
