import { Injectable } from '@nestjs/common';
import { CassandraHealthProbe } from '@reeltime/cassandra';
import { AppConfig } from '@reeltime/config';
import { PipelineHealth, ServiceState } from '@reeltime/contracts';
import { KafkaConnection } from '@reeltime/kafka';
import { Clock, withTimeout } from '@reeltime/runtime';
import { RatingsFeed } from '../feed/ratings-feed';
import { InstanceId } from '../platform/instance-id';
import { DeadLetterWatch, FlushWatch } from './pipeline-watch';
import { SystemService } from './system.service';

/** A dependency is asked at most this often, however many sockets want the health figures. */
const PROBE_EVERY_MS = 2000;
/** A probe that takes longer counts as down: the panel is about now. */
const PROBE_TIMEOUT_MS = 1000;

/** Remembers one probe's latest answer; runs at most one probe at a time and at most every PROBE_EVERY_MS. */
class ProbeState {
  private state: ServiceState = 'unknown';
  private at = -Infinity;
  private running = false;

  constructor(private readonly probe: () => Promise<ServiceState>) {}

  read(now: number): ServiceState {
    if (!this.running && now - this.at >= PROBE_EVERY_MS) {
      this.running = true;
      this.at = now;
      withTimeout(this.probe(), PROBE_TIMEOUT_MS)
        .then(
          (s) => (this.state = s),
          () => (this.state = 'down'),
        )
        .finally(() => (this.running = false));
    }
    return this.state;
  }
}

/** The dashboard's pipeline health panel: the socket's `health` event. */
@Injectable()
export class PipelineHealthService {
  private readonly cassandra: ProbeState;
  private readonly consumer: ProbeState;
  private readonly producer: ProbeState | undefined;

  constructor(
    private readonly system: SystemService,
    private readonly feed: RatingsFeed,
    private readonly flushes: FlushWatch,
    private readonly deadLetters: DeadLetterWatch,
    private readonly clock: Clock,
    private readonly instance: InstanceId,
    kafka: KafkaConnection,
    config: AppConfig,
    cassandra: CassandraHealthProbe,
  ) {
    this.cassandra = new ProbeState(async () => (await cassandra.check(), 'up'));
    this.consumer = new ProbeState(async () =>
      (await kafka.groupMembers(config.kafka.consumerGroup)) > 0 ? 'up' : 'down',
    );
    const producer = config.query.producerUrl;
    this.producer = producer
      ? new ProbeState(async () => {
          const res = await fetch(`${producer}/health/ready`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
          await res.body?.cancel();
          return res.ok ? 'up' : 'down';
        })
      : undefined;
  }

  async health(): Promise<PipelineHealth> {
    const lag = await this.system.lagDetail();
    const now = this.clock.now();
    return {
      time: new Date(now).toISOString(),
      instance: this.instance.value,
      ratingsIn: this.feed.ratingsPerSecond(),
      ratingsWritten: lag.written,
      lag: { total: lag.total, partitions: lag.partitions.map(({ partition, lag: n }) => ({ partition, lag: n })) },
      lastFlush: this.flushes.lastFlush(now),
      deadLetters: this.deadLetters.deadLetters(now),
      freshness: this.flushes.freshness(now),
      services: {
        kafka: lag.answered ? 'up' : 'down',
        cassandra: this.cassandra.read(now),
        // Without Kafka nobody can tell whether the consumer runs.
        consumer: lag.answered ? this.consumer.read(now) : 'unknown',
        producer: this.producer?.read(now) ?? 'unknown',
        query: 'up',
      },
    };
  }
}
