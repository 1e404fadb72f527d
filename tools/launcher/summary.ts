import { AppConfig } from '@reeltime/config';

export interface SummaryInput {
  config: AppConfig;
  kafka: string;
  cassandra: string;
  logDir: string;
  /** PRODUCER_CONTROL_TOKEN was not set, so the launcher made one up for this run. */
  controlTokenGenerated?: boolean;
}

/** The "where is everything" block printed once all three services answer /health. */
export function summaryLines({ config, kafka, cassandra, logDir, controlTokenGenerated }: SummaryInput): string[] {
  const { query, producer, consumer } = config.ports;
  const url = (port: number, path = ''): string => `http://localhost:${port}${path}`;
  const { controlToken } = config.producer;
  const { readToken } = config.query;
  return [
    '',
    'reeltime is running — press Ctrl-C to stop everything',
    '',
    // The fragment never reaches the server: the page reads the token from it (apps/query/public/app.js).
    `  dashboard         ${url(query, readToken ? `/#token=${encodeURIComponent(readToken)}` : '/')}`,
    `  REST API          ${url(query, '/api/')}…  e.g. ${url(query, '/api/movies/trending?window=10m')}`,
    `  OpenAPI           ${url(query, '/docs')}`,
    `  producer control  ${url(producer, '/producer')}`,
    ...(controlToken
      ? [
          `  control token     ${controlToken}${controlTokenGenerated ? '  (generated for this run; set PRODUCER_CONTROL_TOKEN to choose it)' : ''}`,
          `                    e.g. curl -X PUT -H 'Authorization: Bearer ${controlToken}' -H 'Content-Type: application/json' -d '{"rate":100}' ${url(producer, '/producer/rate')}`,
        ]
      : []),
    ...(readToken
      ? [`  read token        QUERY_READ_TOKEN (REST: Authorization: Bearer …; socket.io: auth.token)`]
      : []),
    `  health            ${url(query, '/health')}  ${url(producer, '/health')}  ${url(consumer, '/health')}`,
    `  metrics           ${url(query, '/metrics')}  ${url(producer, '/metrics')}  ${url(consumer, '/metrics')}`,
    `  logs (JSON)       ${logDir}/{query,producer,consumer}.log`,
    `  Kafka             ${config.kafka.brokers.join(',')} — ${kafka}`,
    `  Cassandra         ${config.cassandra.contactPoints.join(',')}, keyspace ${config.cassandra.keyspace} — ${cassandra}`,
    '',
  ];
}
