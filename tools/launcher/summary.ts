import { AppConfig } from '@reeltime/config';

export interface SummaryInput {
  config: AppConfig;
  kafka: string;
  cassandra: string;
  logDir: string;
}

/** The "where is everything" block printed once all three services answer /health. */
export function summaryLines({ config, kafka, cassandra, logDir }: SummaryInput): string[] {
  const { query, producer, consumer } = config.ports;
  const url = (port: number, path = ''): string => `http://localhost:${port}${path}`;
  return [
    '',
    'reeltime is running — press Ctrl-C to stop everything',
    '',
    `  dashboard         ${url(query, '/')}`,
    `  REST API          ${url(query, '/api/')}…  e.g. ${url(query, '/api/movies/trending?window=10m')}`,
    `  OpenAPI           ${url(query, '/docs')}`,
    `  producer control  ${url(producer, '/producer')}`,
    `  health            ${url(query, '/health')}  ${url(producer, '/health')}  ${url(consumer, '/health')}`,
    `  metrics           ${url(query, '/metrics')}  ${url(producer, '/metrics')}  ${url(consumer, '/metrics')}`,
    `  logs (JSON)       ${logDir}/{query,producer,consumer}.log`,
    `  Kafka             ${config.kafka.brokers.join(',')} — ${kafka}`,
    `  Cassandra         ${config.cassandra.contactPoints.join(',')}, keyspace ${config.cassandra.keyspace} — ${cassandra}`,
    '',
  ];
}
