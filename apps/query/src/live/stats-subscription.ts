import { BeforeApplicationShutdown, Controller, Injectable, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { FLUSH_HEADER, HourlyStats, parseFlushReport } from '@reeltime/contracts';
import { KafkaBatch } from '@reeltime/kafka';
import { Counter } from 'prom-client';
import { Subject } from 'rxjs';
import { MetricsRegistry } from '@reeltime/observability';
import { Clock } from '@reeltime/runtime';
import { FlushWatch } from '../system/pipeline-watch';
import { AnswerCache, cacheGroups } from '../cache/answer-cache';
import { instanceTransport } from '../platform/instance-transport';
import { parseStatsMessage } from './stats-message';

/** How long start-up waits for the group (so a fresh instance caches at once); REST works without it. */
const JOIN_TIMEOUT_MS = 15_000;

export const STATS_TRANSPORT = Symbol('user-hour-stats');

/**
 * Reads `user-hour-stats` from the topic's end as it is when the group (re)joins: nothing older can be
 * stale in a cache that starts empty.
 */
export class StatsTransport extends instanceTransport({
  purpose: 'stats',
  topic: (config) => ({ 'user-hour-stats': config.kafka.topics.stats }),
  // The group has this one member. After a broker restart the group still lists the member that was
  // lost with it, and the rejoin waits until that member's session expires: keep the wait short.
  consumer: { sessionTimeout: 10_000, maxWaitTimeInMs: 1000 },
  start: 'now',
  waitMs: JOIN_TIMEOUT_MS,
  id: STATS_TRANSPORT,
}) {}

/**
 * Drops the cache entries each stats message touches and hands the stats to the gateway. Answers are
 * cached only while the transport is in its group: only then can no committed change go unseen.
 */
@Injectable()
export class StatsSubscription implements BeforeApplicationShutdown {
  private readonly logger = new Logger(StatsSubscription.name);
  readonly updates = new Subject<HourlyStats>();
  private readonly received: Counter;
  private readonly rejected: Counter;

  constructor(
    transport: StatsTransport,
    private readonly cache: AnswerCache,
    metrics: MetricsRegistry,
  ) {
    this.received = new Counter({
      name: 'reeltime_query_stats_messages_total',
      help: 'user-hour-stats messages read',
      registers: [metrics],
    });
    this.rejected = new Counter({
      name: 'reeltime_query_stats_messages_rejected_total',
      help: 'user-hour-stats messages that were not valid hourly stats',
      registers: [metrics],
    });
    transport.on('joined', () => this.cache.enable());
    transport.on('crashed', (error, restart) => {
      // kafkajs restarts it in the same group, which resumes after the last message it handled: the
      // invalidations are late, not lost, and QUERY_CACHE_TTL_MS bounds how old an answer gets meanwhile.
      // Dropping the cache instead would send every request to Cassandra for as long as Kafka is away.
      if (restart) {
        this.logger.warn({
          msg: 'stats consumer crashed and restarts; cached answers are kept (bounded by their TTL)',
          err: String(error),
        });
      }
    });
    // Once the group is left for good, what is published until the rejoin is never seen.
    transport.on('lost', (reason) => {
      this.logger.error({ msg: 'stats consumer left its group; caching off until it rejoins', reason });
      this.cache.disable();
    });
  }

  /** Drops what the message makes stale, then hands it on. Exposed for tests of the wiring. */
  handle(value: Buffer | null): void {
    const parsed = parseStatsMessage(value);
    if (!parsed.ok) {
      this.rejected.inc();
      this.logger.warn({ msg: 'ignored a stats message', reason: parsed.reason });
      return;
    }
    this.received.inc();
    this.cache.invalidate(cacheGroups.touchedBy(parsed.stats.name, parsed.hour));
    this.updates.next(parsed.stats);
  }

  beforeApplicationShutdown(): void {
    // The transport leaves (and deletes) its group when Nest closes it, right after this.
    this.cache.disable();
    this.updates.complete();
  }
}

@Controller()
export class StatsUpdatesController {
  constructor(
    private readonly subscription: StatsSubscription,
    private readonly flushes: FlushWatch,
    private readonly clock: Clock,
  ) {}

  /** A batch at a time: per message, kafkajs's bookkeeping cost more than the handling at 10,000/s. */
  @EventPattern('user-hour-stats', STATS_TRANSPORT)
  onStats(@Payload() batch: KafkaBatch): void {
    for (const message of batch.messages) {
      this.subscription.handle(message.value);
      // After the push: the flush's freshness sample ends when its stats have gone to the sockets.
      const header = message.headers?.[FLUSH_HEADER];
      if (header !== undefined) {
        const report = parseFlushReport(Array.isArray(header) ? header[0] : header);
        if (report) this.flushes.seen(report, this.clock.now());
      }
    }
  }
}
