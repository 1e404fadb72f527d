import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { HourlyStats } from '@reeltime/contracts';
import { Consumer, KafkaConnection } from '@reeltime/kafka';
import { Counter } from 'prom-client';
import { Subject } from 'rxjs';
import { MetricsRegistry } from '@reeltime/observability';
import { AnswerCache, cacheGroups } from '../cache/answer-cache';
import { InstanceId } from '../platform/instance-id';
import { StartRetrier, retryRetriable } from '../platform/retry';
import { parseStatsMessage } from './stats-message';

const JOIN_TIMEOUT_MS = 15_000;

/**
 * Reads `user-hour-stats` with a consumer group of this instance's own, so every query instance sees
 * every message: it drops the cache entries the (user, hour) touched and hands the stats to the gateway.
 *
 * Why a KafkaConnection consumer and not @nestjs/microservices' Kafka transport: the transport's
 * @EventPattern needs the topic name as a constant at class-definition time, while here it is a
 * setting (KAFKA_TOPIC_STATS; every test has its own); the transport also builds its own kafkajs
 * client, bypassing the project's adapter (the one place that knows the client library), and offers no
 * hook to start a fresh group at the topic's end and to know when it has joined, which the cache needs.
 */
@Injectable()
export class StatsSubscription implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StatsSubscription.name);
  readonly updates = new Subject<HourlyStats>();
  readonly groupId: string;
  private consumer?: Consumer;
  private onJoined?: () => void;
  private running?: Promise<boolean>;
  private readonly retrier = new StartRetrier((err, attempt, retryInMs) =>
    this.logger.warn({ msg: 'could not start reading stats updates', attempt, retryInMs, err: String(err) }),
  );
  private readonly received: Counter;
  private readonly rejected: Counter;

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
    private readonly cache: AnswerCache,
    instance: InstanceId,
    metrics: MetricsRegistry,
  ) {
    this.groupId = `${config.kafka.queryGroupPrefix}.${instance.value}.stats`;
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
  }

  async onApplicationBootstrap(): Promise<void> {
    const joined = new Promise<void>((resolve) => (this.onJoined = resolve));
    this.running = this.retrier.run(() => this.start());
    // Boot waits for the group (so a fresh instance caches at once) but not forever: REST works without it.
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), JOIN_TIMEOUT_MS).unref());
    if ((await Promise.race([joined, timeout])) === 'timeout') {
      this.logger.warn({ msg: 'stats consumer has not joined its group yet; answers are not cached until it does' });
    }
  }

  private async start(): Promise<void> {
    const topic = this.config.kafka.topics.stats;
    await this.kafka.ensureTopics([topic]);
    // A fresh group starts at the topic's end as it is now: every message published from here on is
    // seen, and nothing from before (this instance's cache is empty, so nothing older can be stale).
    const admin = await this.kafka.admin();
    const ends = await retryRetriable(() => admin.fetchTopicOffsets(topic));
    await admin.setOffsets({
      groupId: this.groupId,
      topic,
      partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })),
    });
    const consumer = this.kafka.createConsumer({
      groupId: this.groupId,
      // The group has this one member. After a broker restart the group still lists the member that was
      // lost with it, and the rejoin waits until that member's session expires: keep the wait short.
      sessionTimeout: 10_000,
      maxWaitTimeInMs: 1000,
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // Only now can no committed change go unseen, so only now may answers be kept.
      this.cache.enable();
      this.onJoined?.();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart) {
        // kafkajs restarts it in the same group, which resumes after the last message it handled: the
        // invalidations are late, not lost, and QUERY_CACHE_TTL_MS bounds how old an answer gets meanwhile.
        // Dropping the cache instead would send every request to Cassandra for as long as Kafka is away.
        this.logger.warn({
          msg: 'stats consumer crashed and restarts; cached answers are kept (bounded by their TTL)',
          err: String(event.payload.error),
        });
        return;
      }
      this.logger.error({
        msg: 'stats consumer crashed for good; caching off',
        err: String(event.payload.error),
      });
      this.cache.disable();
    });
    try {
      await consumer.connect();
      await retryRetriable(() => consumer.subscribe({ topic, fromBeginning: false }));
      await consumer.run({
        // A batch at a time: with eachMessage kafkajs resolves an offset, checks for heartbeats and
        // awaits a promise per message, which cost more than the message's own handling at 10,000/s.
        eachBatch: ({ batch }) => {
          for (const message of batch.messages) this.handle(message.value);
          return Promise.resolve();
        },
      });
    } catch (err) {
      await consumer.disconnect();
      throw err;
    }
    this.consumer = consumer;
    this.logger.log({ msg: 'reading stats updates', topic, groupId: this.groupId });
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

  async beforeApplicationShutdown(): Promise<void> {
    // An attempt still under way is not awaited (kafkajs may retry for a minute); KafkaConnection's own
    // shutdown disconnects whatever that attempt created.
    this.retrier.stop();
    this.cache.disable();
    this.updates.complete();
    if (!this.consumer) return;
    await this.kafka.closeOwnGroup(this.consumer, this.groupId);
  }
}
