import { INestApplication } from '@nestjs/common';
import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';
import type { IncomingMessage } from 'node:http';
import { AppConfig, Env } from '@reeltime/config';
import { startService } from '@reeltime/observability';
import { RestRateLimit } from './api/rate-limit';
import { FeedTransport } from './feed/ratings-feed';
import { LiveIoAdapter, originAllowed } from './live/live-io.adapter';
import { StatsTransport } from './live/stats-subscription';
import { DeadLetterTransport } from './system/dead-letter-feed';
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
      const { allowedOrigins, readToken } = app.get(AppConfig).query;
      // Before the cached answers, which answer ahead of Nest and need the CORS headers too.
      app.enableCors((req: IncomingMessage, callback: (err: Error | null, options: CorsOptions) => void) =>
        callback(null, {
          origin: originAllowed(req.headers.origin, allowedOrigins, req.headers.host),
          methods: ['GET', 'HEAD'],
          allowedHeaders: ['Authorization', 'Content-Type'],
          maxAge: 600,
        }),
      );
      const rateLimit = app.get(RestRateLimit);
      app.use(cachedAnswers(app.get(StatsService), readToken, (req, res) => rateLimit.admit(req, res)));
      app.useWebSocketAdapter(new LiveIoAdapter(app, allowedOrigins, readToken));
      // A hybrid app: HTTP and socket.io, and three Kafka transports with groups of this instance's own.
      app.connectMicroservice({ strategy: app.get(StatsTransport) });
      app.connectMicroservice({ strategy: app.get(FeedTransport) });
      app.connectMicroservice({ strategy: app.get(DeadLetterTransport) });
    },
  });
}
