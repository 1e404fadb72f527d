import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@reeltime/observability';
import { Counter, Gauge, Histogram } from 'prom-client';
import { FlushHealth } from './ingest/flush-health';

@Injectable()
export class ConsumerMetrics {
  readonly records: Counter<'outcome'>;
  readonly batchSize: Histogram;
  readonly flushSeconds: Histogram;
  readonly flushFailures: Counter;
  readonly lag: Gauge<'partition'>;
  readonly paused: Gauge;
  readonly cacheEntries: Gauge;
  readonly cacheBytes: Gauge;
  readonly rebuilds: Counter;
  readonly pointReads: Counter;
  readonly commitFailures: Counter;
  readonly deadLetters: Counter<'outcome' | 'reason'>;
  readonly flushFailingSeconds: Gauge;

  constructor(registry: MetricsRegistry, health: FlushHealth) {
    const registers = [registry];
    this.records = new Counter({
      name: 'reeltime_consumer_records_total',
      help: 'Messages taken from the ratings topic, by outcome (written or dead_letter)',
      labelNames: ['outcome'],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'reeltime_consumer_batch_messages',
      help: 'Messages per flushed micro-batch',
      buckets: [1, 10, 100, 1000, 5000, 10000, 25000, 50000, 100000],
      registers,
    });
    this.flushSeconds = new Histogram({
      name: 'reeltime_consumer_flush_duration_seconds',
      help: 'Time from the start of a flush to its commit, retries included',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.flushFailures = new Counter({
      name: 'reeltime_consumer_flush_failures_total',
      help: 'Failed flush attempts (retried)',
      registers,
    });
    this.commitFailures = new Counter({
      name: 'reeltime_consumer_commit_failures_total',
      help: 'Offset commits that failed (batch will be redelivered)',
      registers,
    });
    this.deadLetters = new Counter({
      name: 'reeltime_consumer_dead_letters_total',
      help:
        'Dead letters delivered, by where they went (published to the DLQ topic, or stored in the dead_letters table) ' +
        'and by kind of reason (see deadLetterReason)',
      labelNames: ['outcome', 'reason'],
      registers,
    });
    this.flushFailingSeconds = new Gauge({
      name: 'reeltime_consumer_flush_failing_seconds',
      help: 'How long flushes have been failing without a success (0 while they succeed)',
      registers,
      collect() {
        this.set(health.failingForMs() / 1000);
      },
    });
    this.lag = new Gauge({
      name: 'reeltime_consumer_lag_messages',
      help: 'Messages in the ratings topic not yet committed by the consumer group, per partition',
      labelNames: ['partition'],
      registers,
    });
    this.paused = new Gauge({
      name: 'reeltime_consumer_paused',
      help: '1 while fetching is paused (buffer full or Cassandra failing)',
      registers,
    });
    this.cacheEntries = new Gauge({
      name: 'reeltime_consumer_stats_cache_entries',
      help: '(user, hour) entries in the stats cache',
      registers,
    });
    this.cacheBytes = new Gauge({
      name: 'reeltime_consumer_stats_cache_bytes',
      help: 'Estimated bytes held by the stats cache',
      registers,
    });
    this.rebuilds = new Counter({
      name: 'reeltime_consumer_stats_rebuilds_total',
      help: '(user, hour) stats rebuilt from Cassandra on a cache miss',
      registers,
    });
    this.pointReads = new Counter({
      name: 'reeltime_consumer_point_reads_total',
      help: 'Events checked with a point read because the Bloom filter could not rule them out',
      registers,
    });
  }
}
