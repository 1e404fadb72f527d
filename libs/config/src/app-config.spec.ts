import { ConfigError, loadConfig } from './index';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka.topics).toEqual({ ratings: 'ratings', dlq: 'ratings.dlq', stats: 'user-hour-stats' });
    expect(config.kafka.partitions).toBe(6);
    expect(config.cassandra).toMatchObject({
      contactPoints: ['127.0.0.1:9042'],
      localDataCenter: 'datacenter1',
      keyspace: 'reviews',
    });
    expect(config.batch.intervalMs).toBe(30000);
    expect(config.batch.maxRecords).toBe(50000);
    expect(config.batch.maxBytes).toBe(16 * 1024 * 1024);
    expect(config.batch.maxFutureSkewMs).toBe(300000);
    expect(config.ports.query).toBe(3000);
    expect(config.query.cacheTtlMs).toBe(90_000);
    expect(config.query.readTimeoutMs).toBe(800);
  });

  it('bounds the query cache to three batch intervals unless QUERY_CACHE_TTL_MS says otherwise', () => {
    expect(loadConfig({ BATCH_INTERVAL_MS: '1000' }).query.cacheTtlMs).toBe(3000);
    expect(loadConfig({ BATCH_INTERVAL_MS: '1000', QUERY_CACHE_TTL_MS: '60000' }).query.cacheTtlMs).toBe(60_000);
  });

  it.each([
    ['BATCH_INTERVAL_MS', 'abc'],
    ['BATCH_INTERVAL_MS', '0'],
    ['BATCH_MAX_MB', '0.5'],
    ['KAFKA_BROKERS', 'localhost'],
    ['KAFKA_PARTITIONS', '-1'],
    ['CASSANDRA_KEYSPACE', 'Bad-Name'],
    ['CASSANDRA_REPLICATION', "{'class': 'SimpleStrategy'}; DROP KEYSPACE x"],
    ['QUERY_PORT', '70000'],
    ['QUERY_CACHE_TTL_MS', '0'],
    ['QUERY_READ_TIMEOUT_MS', 'fast'],
    ['PRODUCER_LATE_FRACTION', '1.5'],
    ['LOG_LEVEL', 'loud'],
    ['KAFKA_SSL', 'maybe'],
    ['BIND_ADDRESS', 'my host'],
    ['PRODUCER_CONTROL_TOKEN', 'short'],
    ['PRODUCER_CONTROL_TOKEN', 'has a space in the middle'],
    ['QUERY_READ_TOKEN', 'short'],
    ['PRODUCER_MAX_RATE', '0'],
    ['PRODUCER_RATE', '5001'],
    ['QUERY_ALLOWED_ORIGINS', 'https://example.com/'],
  ])('rejects %s=%s with an error naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as Error).message).toContain(name);
  });

  it('binds to loopback, with no tokens and a producer bound of 5000/s, unless told otherwise', () => {
    const config = loadConfig({});
    expect(config.bindAddress).toBe('127.0.0.1');
    expect(config.producer.controlToken).toBeUndefined();
    expect(config.query.readToken).toBeUndefined();
    expect(config.producer.maxRate).toBe(5000);
    expect(loadConfig({ BIND_ADDRESS: '0.0.0.0' }).bindAddress).toBe('0.0.0.0');
    expect(loadConfig({ BIND_ADDRESS: '::' }).bindAddress).toBe('::');
    expect(loadConfig({ PRODUCER_CONTROL_TOKEN: 'x'.repeat(16) }).producer.controlToken).toBe('x'.repeat(16));
  });

  it('keeps the producer rate, given or implied by PRODUCER_INTERVAL_MS, within PRODUCER_MAX_RATE', () => {
    expect(loadConfig({ PRODUCER_RATE: '9000', PRODUCER_MAX_RATE: '10000' }).producer.rate).toBe(9000);
    expect(() => loadConfig({ PRODUCER_RATE: '200', PRODUCER_MAX_RATE: '100' })).toThrow(
      'Invalid setting PRODUCER_RATE: expected at most PRODUCER_MAX_RATE (100), got 200',
    );
    expect(() => loadConfig({ PRODUCER_USERS: '1000', PRODUCER_INTERVAL_MS: '100' })).toThrow(
      /PRODUCER_INTERVAL_MS: 1000 viewers every 100 ms is 10000 ratings\/s, above PRODUCER_MAX_RATE \(5000\)/,
    );
  });

  it('takes a list of allowed origins', () => {
    expect(
      loadConfig({ QUERY_ALLOWED_ORIGINS: 'https://a.example, http://localhost:8080' }).query.allowedOrigins,
    ).toEqual(['https://a.example', 'http://localhost:8080']);
  });

  it('takes the producer URL for the health panel as an http(s) URL, naming the setting otherwise', () => {
    expect(loadConfig({}).query.producerUrl).toBeUndefined();
    expect(loadConfig({ QUERY_PRODUCER_URL: 'http://producer:3001/' }).query.producerUrl).toBe('http://producer:3001');
    for (const bad of ['producer:3001', 'ftp://producer', 'not a url']) {
      expect(() => loadConfig({ QUERY_PRODUCER_URL: bad })).toThrow(/QUERY_PRODUCER_URL: expected an http\(s\) URL/);
    }
  });

  it('requires a password when a Cassandra username is set', () => {
    expect(() => loadConfig({ CASSANDRA_USERNAME: 'app' })).toThrow(/CASSANDRA_PASSWORD/);
  });

  it('accepts a NetworkTopologyStrategy replication map and a broker list', () => {
    const config = loadConfig({
      CASSANDRA_REPLICATION: "{'class': 'NetworkTopologyStrategy', 'dc1': 3}",
      KAFKA_BROKERS: 'k1:9092, k2:9092',
    });
    expect(config.cassandra.replication).toContain('NetworkTopologyStrategy');
    expect(config.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
  });
});
