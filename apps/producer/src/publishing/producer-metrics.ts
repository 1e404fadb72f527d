import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@reeltime/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

/** The producer's figures on the service's Prometheus registry (GET /metrics). */
@Injectable()
export class ProducerMetrics {
  readonly sent: Counter;
  readonly errors: Counter;
  readonly generated: Counter;
  readonly currentRate: Gauge;
  readonly targetRate: Gauge;
  readonly pending: Gauge;
  readonly sendSeconds: Histogram;
  readonly batchSize: Histogram;

  constructor(registry: MetricsRegistry) {
    const registers = [registry];
    this.sent = new Counter({
      name: 'reeltime_producer_events_sent_total',
      help: 'Rating events acknowledged by Kafka (acks=all)',
      registers,
    });
    this.errors = new Counter({
      name: 'reeltime_producer_send_errors_total',
      help: 'Failed Kafka send attempts (the batch is retried until it succeeds)',
      registers,
    });
    this.generated = new Counter({
      name: 'reeltime_producer_events_generated_total',
      help: 'Rating events generated and queued for sending',
      registers,
    });
    this.currentRate = new Gauge({
      name: 'reeltime_producer_current_events_per_second',
      help: 'Events acknowledged per second over the last 5 seconds',
      registers,
    });
    this.targetRate = new Gauge({
      name: 'reeltime_producer_target_events_per_second',
      help: 'Target ratings per second (0 when stopped)',
      registers,
    });
    this.pending = new Gauge({
      name: 'reeltime_producer_pending_events',
      help: 'Events queued or in flight, not yet acknowledged',
      registers,
    });
    this.sendSeconds = new Histogram({
      name: 'reeltime_producer_send_duration_seconds',
      help: 'Duration of one batched Kafka send',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'reeltime_producer_send_batch_events',
      help: 'Events per Kafka send',
      buckets: [1, 10, 100, 500, 1000, 2500, 5000, 10000, 20000],
      registers,
    });
  }
}
