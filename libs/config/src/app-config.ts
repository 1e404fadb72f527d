import {
  ConfigError,
  Env,
  ON_READ,
  bindAddress,
  bool,
  float,
  hostList,
  identifier,
  int,
  oneOf,
  optionalInt,
  optionalStr,
  optionalToken,
  optionalUrl,
  str,
} from './env';

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const CQL_NAME = /^[a-z][a-z0-9_]{0,47}$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Every setting of every service, parsed and validated once. Services receive this object by
 * injection (token: the class itself); nothing else reads the environment.
 */
export class AppConfig {
  logLevel!: LogLevel;
  kafka!: {
    brokers: string[];
    clientId: string;
    topics: { ratings: string; dlq: string; stats: string };
    partitions: number;
    replicationFactor: number;
    consumerGroup: string;
    /** Prefix of the per-instance group ids with which query services read `user-hour-stats`. */
    queryGroupPrefix: string;
    ssl: boolean;
    sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  };
  cassandra!: {
    contactPoints: string[];
    localDataCenter: string;
    keyspace: string;
    /** CQL replication map for the keyspace, e.g. {'class':'SimpleStrategy','replication_factor':1}. */
    replication: string;
    username?: string;
    password?: string;
    tls: boolean;
    tlsCaFile?: string;
    requestTimeoutMs: number;
  };
  /**
   * How long written rows live, as Cassandra write TTLs in seconds (0: forever). Each write carries
   * the TTL in force when it is made, so a change applies to what is written from then on.
   */
  retention!: {
    /** `records`, `movie_counts_by_minute` and `users_by_hour` (RATINGS_TTL_DAYS). */
    ratingsTtlSeconds: number;
    /** `user_hour_stats` (STATS_TTL_DAYS). */
    statsTtlSeconds: number;
  };
  batch!: {
    intervalMs: number;
    maxRecords: number;
    /** Message bytes (key + value) one batch may hold: bounds memory whatever the events' sizes. */
    maxBytes: number;
    /** Distinct (user, hour) pairs one batch may hold: bounds a flush's memory whatever the number of users. */
    maxUserHours: number;
    /** Concurrent Cassandra writes per flush. */
    writeConcurrency: number;
    maxFutureSkewMs: number;
    maxMessageBytes: number;
    /** Memory the consumer's stats cache may use before it evicts least-recently-used (user, hour) entries. */
    statsCacheMaxBytes: number;
    /** How long a flush waits for the DLQ topic before it stores the dead letters in Cassandra instead. */
    deadLetterTimeoutMs: number;
    /** On SIGTERM, how long the consumer may spend finishing (and retrying) its last flushes. */
    shutdownTimeoutMs: number;
  };
  producer!: {
    users: number;
    seed: number;
    /** Target ratings per second (token bucket); ignored when intervalMs is set. */
    rate: number;
    /** The reference design's mode: every viewer rates one movie every intervalMs. */
    intervalMs?: number;
    lateFraction: number;
    moviesFile?: string;
    autostart: boolean;
    /** Highest rate PRODUCER_RATE and PUT /producer/rate may ask for: one request must not flood the pipeline. */
    maxRate: number;
    /**
     * Bearer token the control API (/producer…) requires. Unset: the control API answers only
     * requests from loopback addresses.
     */
    controlToken?: string;
  };
  query!: {
    cacheMaxEntries: number;
    /** Bytes the answer cache may hold (an estimate per answer: its key and JSON); misses get an eighth more. */
    cacheMaxBytes: number;
    /** Longest an answer that found nothing (an unknown name, an empty hour) stays cached. */
    cacheMissTtlMs: number;
    /**
     * Longest a cached answer is served without being read again: bounds staleness when a stats
     * message is late or lost (e.g. while Kafka is down the consumer may write a batch it cannot announce).
     */
    cacheTtlMs: number;
    /** Longest a REST or WebSocket answer waits for Cassandra before the client gets a 503. */
    readTimeoutMs: number;
    /** Origins that may call REST (CORS) and open the socket.io connection; `*` allows any. */
    allowedOrigins: string[];
    /** Bearer token REST (/api/…) and the socket.io handshake require; unset: they are open. */
    readToken?: string;
    /** The producer's base URL, for the dashboard's health panel (its /health/ready); unset: unknown. */
    producerUrl?: string;
    trendingRefreshMs: number;
    feedIntervalMs: number;
    /** The window the rate limits count in. */
    rateWindowMs: number;
    /** REST requests (/api/…) one client address may make per window; 0: no limit. */
    restRateLimit: number;
    /** socket.io events one client address may send per window; 0: no limit. */
    liveRateLimit: number;
  };
  ports!: { query: number; producer: number; consumer: number };
  /** Address every service listens on: loopback unless a deployment (compose) opens it. */
  bindAddress!: string;
}

/** PRODUCER_RATE, and the rate PRODUCER_INTERVAL_MS implies, within PRODUCER_MAX_RATE. */
function checkProducerRate(producer: AppConfig['producer']): void {
  const { rate, intervalMs, users, maxRate } = producer;
  if (intervalMs !== undefined) {
    const implied = (users * 1000) / intervalMs;
    if (implied > maxRate) {
      throw new ConfigError(
        'PRODUCER_INTERVAL_MS',
        `${users} viewers every ${intervalMs} ms is ${implied} ratings/s, above PRODUCER_MAX_RATE (${maxRate})`,
      );
    }
  } else if (rate > maxRate) {
    throw new ConfigError('PRODUCER_RATE', `expected at most PRODUCER_MAX_RATE (${maxRate}), got ${rate}`);
  }
}

function sasl(env: Env): AppConfig['kafka']['sasl'] {
  const mechanism = optionalStr(env, 'KAFKA_SASL_MECHANISM');
  // Read before the early return, so that settingDefaults() lists them too.
  const username = optionalStr(env, 'KAFKA_SASL_USERNAME');
  const password = optionalStr(env, 'KAFKA_SASL_PASSWORD');
  if (mechanism === undefined) return undefined;
  const m = oneOf(env, 'KAFKA_SASL_MECHANISM', 'plain', ['plain', 'scram-sha-256', 'scram-sha-512'] as const);
  if (!username) throw new ConfigError('KAFKA_SASL_USERNAME', 'required when KAFKA_SASL_MECHANISM is set');
  if (!password) throw new ConfigError('KAFKA_SASL_PASSWORD', 'required when KAFKA_SASL_MECHANISM is set');
  return { mechanism: m, username, password };
}

function replication(env: Env): string {
  const value = str(env, 'CASSANDRA_REPLICATION', "{'class': 'SimpleStrategy', 'replication_factor': 1}");
  // It is spliced into CREATE KEYSPACE (DDL cannot take bind markers), so only a plain map literal passes.
  if (!/^\{\s*'class'\s*:\s*'[A-Za-z.]+'(\s*,\s*'[A-Za-z0-9_]+'\s*:\s*'?\d+'?)+\s*\}$/.test(value)) {
    throw new ConfigError(
      'CASSANDRA_REPLICATION',
      `expected a CQL replication map like {'class': 'NetworkTopologyStrategy', 'datacenter1': 3}, got "${value}"`,
    );
  }
  return value;
}

function origins(env: Env): string[] {
  const list = str(env, 'QUERY_ALLOWED_ORIGINS', '*')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const origin of list) {
    // An origin is scheme://host[:port], exactly as a browser sends it: a path or a trailing slash never matches.
    if (origin !== '*' && !/^https?:\/\/[A-Za-z0-9.\-_[\]:]+$/.test(origin)) {
      throw new ConfigError('QUERY_ALLOWED_ORIGINS', `expected * or origins like https://example.com, got "${origin}"`);
    }
  }
  return list;
}

export function loadConfig(env: Env): AppConfig {
  const username = optionalStr(env, 'CASSANDRA_USERNAME');
  const password = optionalStr(env, 'CASSANDRA_PASSWORD');
  if (username && !password) throw new ConfigError('CASSANDRA_PASSWORD', 'required when CASSANDRA_USERNAME is set');
  const ports = {
    query: int(env, 'QUERY_PORT', 3000, 1, 65535),
    producer: int(env, 'PRODUCER_PORT', 3001, 1, 65535),
    consumer: int(env, 'CONSUMER_PORT', 3002, 1, 65535),
  };
  const batchIntervalMs = int(env, 'BATCH_INTERVAL_MS', 30_000, 10, 3_600_000);
  // Sections in this order: the order settings are read in is the order of SETTINGS below.
  const config: AppConfig = {
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', LOG_LEVELS),
    kafka: kafkaSettings(env),
    cassandra: cassandraSettings(env, username, password),
    retention: {
      ratingsTtlSeconds: int(env, 'RATINGS_TTL_DAYS', 0, 0, 3650) * 86_400,
      statsTtlSeconds: int(env, 'STATS_TTL_DAYS', 0, 0, 3650) * 86_400,
    },
    batch: batchSettings(env, batchIntervalMs),
    producer: producerSettings(env),
    query: querySettings(env, batchIntervalMs),
    ports,
    bindAddress: bindAddress(env, 'BIND_ADDRESS', '127.0.0.1'),
  };
  checkProducerRate(config.producer);
  return Object.freeze(Object.assign(new AppConfig(), config));
}

function kafkaSettings(env: Env): AppConfig['kafka'] {
  return {
    brokers: hostList(env, 'KAFKA_BROKERS', '127.0.0.1:9092'),
    clientId: identifier(env, 'KAFKA_CLIENT_ID', 'reeltime', TOPIC, 'letters, digits, . _ -'),
    topics: {
      ratings: identifier(env, 'KAFKA_TOPIC_RATINGS', 'ratings', TOPIC, 'a Kafka topic name'),
      dlq: identifier(env, 'KAFKA_TOPIC_DLQ', 'ratings.dlq', TOPIC, 'a Kafka topic name'),
      stats: identifier(env, 'KAFKA_TOPIC_STATS', 'user-hour-stats', TOPIC, 'a Kafka topic name'),
    },
    partitions: int(env, 'KAFKA_PARTITIONS', 6, 1, 10_000),
    replicationFactor: int(env, 'KAFKA_REPLICATION_FACTOR', 1, 1, 10),
    consumerGroup: identifier(env, 'KAFKA_CONSUMER_GROUP', 'reeltime-consumer', TOPIC, 'a consumer group id'),
    queryGroupPrefix: identifier(env, 'KAFKA_QUERY_GROUP_PREFIX', 'reeltime-query', TOPIC, 'a group id prefix'),
    ssl: bool(env, 'KAFKA_SSL', false),
    sasl: sasl(env),
  };
}

function cassandraSettings(env: Env, username?: string, password?: string): AppConfig['cassandra'] {
  return {
    contactPoints: hostList(env, 'CASSANDRA_CONTACT_POINTS', '127.0.0.1:9042'),
    localDataCenter: str(env, 'CASSANDRA_LOCAL_DC', 'datacenter1'),
    keyspace: identifier(env, 'CASSANDRA_KEYSPACE', 'reviews', CQL_NAME, 'a lower-case CQL identifier'),
    replication: replication(env),
    username,
    password,
    tls: bool(env, 'CASSANDRA_TLS', false),
    tlsCaFile: optionalStr(env, 'CASSANDRA_TLS_CA_FILE'),
    requestTimeoutMs: int(env, 'CASSANDRA_REQUEST_TIMEOUT_MS', 12_000, 100, 600_000),
  };
}

function batchSettings(env: Env, batchIntervalMs: number): AppConfig['batch'] {
  return {
    intervalMs: batchIntervalMs,
    maxRecords: int(env, 'BATCH_MAX_RECORDS', 50_000, 1, 10_000_000),
    maxBytes: int(env, 'BATCH_MAX_MB', 16, 1, 4096) * 1024 * 1024,
    maxUserHours: int(env, 'BATCH_MAX_USER_HOURS', 10_000, 1, 10_000_000),
    writeConcurrency: int(env, 'CONSUMER_WRITE_CONCURRENCY', 64, 1, 4096),
    maxFutureSkewMs: int(env, 'MAX_FUTURE_SKEW_MS', 300_000, 0, 86_400_000),
    maxMessageBytes: int(env, 'MAX_MESSAGE_BYTES', 4096, 64, 1_048_576),
    statsCacheMaxBytes: int(env, 'STATS_CACHE_MAX_MB', 64, 1, 65_536) * 1024 * 1024,
    deadLetterTimeoutMs: int(env, 'DLQ_PUBLISH_TIMEOUT_MS', 10_000, 100, 600_000),
    shutdownTimeoutMs: int(env, 'CONSUMER_SHUTDOWN_TIMEOUT_MS', 20_000, 1000, 600_000),
  };
}

function producerSettings(env: Env): AppConfig['producer'] {
  return {
    users: int(env, 'PRODUCER_USERS', 100, 1, 10_000_000),
    seed: int(env, 'PRODUCER_SEED', 42, 0, 2 ** 31 - 1),
    rate: float(env, 'PRODUCER_RATE', 20, 0.001, 10_000_000),
    intervalMs: optionalInt(env, 'PRODUCER_INTERVAL_MS', 1, 86_400_000),
    lateFraction: float(env, 'PRODUCER_LATE_FRACTION', 0, 0, 1),
    moviesFile: optionalStr(env, 'PRODUCER_MOVIES_FILE'),
    autostart: bool(env, 'PRODUCER_AUTOSTART', true),
    maxRate: int(env, 'PRODUCER_MAX_RATE', 5000, 1, 10_000_000),
    controlToken: optionalToken(env, 'PRODUCER_CONTROL_TOKEN'),
  };
}

function querySettings(env: Env, batchIntervalMs: number): AppConfig['query'] {
  return {
    cacheMaxEntries: int(env, 'QUERY_CACHE_MAX_ENTRIES', 50_000, 1, 10_000_000),
    cacheMaxBytes: int(env, 'QUERY_CACHE_MAX_MB', 64, 1, 65_536) * 1024 * 1024,
    cacheMissTtlMs: int(env, 'QUERY_CACHE_MISS_TTL_MS', 5000, 100, 86_400_000),
    // Three batch intervals: a normal commit is announced well within that.
    cacheTtlMs: int(env, 'QUERY_CACHE_TTL_MS', 3 * batchIntervalMs, 100, 86_400_000),
    readTimeoutMs: int(env, 'QUERY_READ_TIMEOUT_MS', 800, 50, 600_000),
    allowedOrigins: origins(env),
    readToken: optionalToken(env, 'QUERY_READ_TOKEN'),
    producerUrl: optionalUrl(env, 'QUERY_PRODUCER_URL'),
    trendingRefreshMs: int(env, 'QUERY_TRENDING_REFRESH_MS', 5000, 100, 3_600_000),
    feedIntervalMs: int(env, 'QUERY_FEED_INTERVAL_MS', 500, 50, 60_000),
    rateWindowMs: int(env, 'QUERY_RATE_WINDOW_MS', 10_000, 100, 3_600_000),
    restRateLimit: int(env, 'QUERY_RATE_LIMIT', 1000, 0, 10_000_000),
    liveRateLimit: int(env, 'QUERY_LIVE_RATE_LIMIT', 200, 0, 10_000_000),
  };
}

/**
 * Every setting loadConfig reads, in the order it reads them, with its default as a string (undefined:
 * unset by default). A default computed from another setting is given for the other's default.
 * .env.example is checked against this (libs/config/src/env-example.spec.ts).
 */
export function settingDefaults(): Map<string, string | undefined> {
  const defaults = new Map<string, string | undefined>();
  const env: Env & { [ON_READ]: (name: string, fallback: string | undefined) => void } = {
    [ON_READ]: (name, fallback) => {
      if (!defaults.has(name)) defaults.set(name, fallback);
    },
  };
  loadConfig(env);
  return defaults;
}

/** The process environment, merged with overrides, parsed once: for entry points outside Nest (CLIs). */
export function configFromEnvironment(overrides: Env = {}): AppConfig {
  return loadConfig({ ...process.env, ...overrides });
}
