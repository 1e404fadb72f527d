import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@reeltime/observability';
import { FlushHealth } from './ingest/flush-health';

/** The consumer's Prometheus metrics, all named `reeltime_consumer_*`. */
@Injectable()
export class ConsumerMetrics {
  readonly records;
  readonly batchSize;
  readonly flushSeconds;
  readonly flushFailures;
  readonly commitFailures;
  readonly deadLetters;
  readonly flushFailingSeconds;
  readonly lag;
  readonly paused;
  readonly cacheEntries;
  readonly cacheBytes;
  readonly rebuilds;
  readonly pointReads;

  constructor(m: MetricsRegistry, health: FlushHealth) {
    this.records = m.counter(
      'records_total',
      'Messages taken from the ratings topic, by outcome (written or dead_letter)',
      ['outcome'],
    );
    this.batchSize = m.histogram(
      'batch_messages',
      'Messages per flushed micro-batch',
      [1, 10, 100, 1000, 5000, 10000, 25000, 50000, 100000],
    );
    this.flushSeconds = m.histogram(
      'flush_duration_seconds',
      'Time from the start of a flush to its commit, retries included',
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    );
    this.flushFailures = m.counter('flush_failures_total', 'Failed flush attempts (retried)');
    this.commitFailures = m.counter('commit_failures_total', 'Offset commits that failed (batch will be redelivered)');
    this.deadLetters = m.counter(
      'dead_letters_total',
      'Dead letters delivered, by where they went (published to the DLQ topic, or stored in the dead_letters table) ' +
        'and by kind of reason (see deadLetterReason)',
      ['outcome', 'reason'],
    );
    this.flushFailingSeconds = m.gauge(
      'flush_failing_seconds',
      'How long flushes have been failing without a success (0 while they succeed)',
      [],
      function () {
        this.set(health.failingForMs() / 1000);
      },
    );
    this.lag = m.gauge(
      'lag_messages',
      'Messages in the ratings topic not yet committed by the consumer group, per partition',
      ['partition'],
    );
    this.paused = m.gauge('paused', '1 while fetching is paused (buffer full or Cassandra failing)');
    this.cacheEntries = m.gauge('stats_cache_entries', '(user, hour) entries in the stats cache');
    this.cacheBytes = m.gauge('stats_cache_bytes', 'Estimated bytes held by the stats cache');
    this.rebuilds = m.counter('stats_rebuilds_total', '(user, hour) stats rebuilt from Cassandra on a cache miss');
    this.pointReads = m.counter(
      'point_reads_total',
      'Events checked with a point read because the Bloom filter could not rule them out',
    );
  }
}
