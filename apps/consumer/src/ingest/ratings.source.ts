import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { Consumer, ConsumerRunConfig, KafkaConnection } from '@reeltime/kafka';

/** Delay before rejoining after kafkajs gave up: 1 s, doubling to 30 s while rejoining keeps failing. */
const rejoinDelayMs = (attempt: number): number => Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));

export interface ConsumedMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

export interface FetchedBatch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
  /** End of the partition's log at fetch time. */
  highWatermark: string;
}

export interface SourceHandlers {
  /** Called for each fetched batch, one at a time; must not block on Cassandra. */
  onBatch(batch: FetchedBatch): void;
  /** Partitions are about to move (a rebalance started) or have moved (new assignment). */
  onRebalance(): void;
}

export interface Commit {
  topic: string;
  partition: number;
  offset: string;
}

/** The consumer's view of the `ratings` topic: fetch, pause/resume, commit explicitly. */
export abstract class RatingsSource {
  abstract start(handlers: SourceHandlers): Promise<void>;
  abstract pause(): void;
  abstract resume(): void;
  abstract commit(commits: Commit[]): Promise<void>;
  /** Resolves when no fetched batch is being handed over. */
  abstract idle(): Promise<void>;
  abstract stop(): Promise<void>;
}

@Injectable()
export class KafkaRatingsSource extends RatingsSource {
  private readonly logger = new Logger(KafkaRatingsSource.name);
  private readonly consumer: Consumer;
  private inFlight: Promise<void> = Promise.resolve();
  private paused = false;
  private stopped = false;
  private rejoinTimer?: NodeJS.Timeout;

  constructor(
    kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {
    super();
    this.consumer = kafka.createConsumer({
      groupId: config.kafka.consumerGroup,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      // Bounds what one fetch can add on top of BATCH_MAX_RECORDS while fetching is being paused.
      maxBytesPerPartition: 1_048_576,
      // Also how long kafkajs sleeps while every partition is paused: short, so a resume takes effect at once.
      maxWaitTimeInMs: 100,
    });
  }

  private get topic(): string {
    return this.config.kafka.topics.ratings;
  }

  async start(handlers: SourceHandlers): Promise<void> {
    const { REBALANCING, GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(REBALANCING, () => handlers.onRebalance());
    this.consumer.on(GROUP_JOIN, (e) => {
      this.logger.log({ msg: 'joined consumer group', assignment: e.payload.memberAssignment });
      handlers.onRebalance();
      if (this.paused) this.apply();
    });
    this.consumer.on(CRASH, (e) => {
      const { error, restart } = e.payload;
      this.logger.error({ msg: 'kafka consumer crashed', error: String(error), restart });
      // kafkajs restarts by itself after retriable errors only. After any other it has left the group
      // and stays disconnected, and a consumer service that no longer consumes must not look alive.
      if (!restart) {
        handlers.onRebalance();
        this.scheduleRejoin(handlers, 0);
      }
    });
    await this.consumer.connect();
    // A new group starts at the beginning of the topic, so a backlog written before the first start is read.
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run(this.runConfig(handlers));
  }

  /** Connects and runs again (the subscription survives a crash); retried with backoff until it works. */
  private scheduleRejoin(handlers: SourceHandlers, attempt: number): void {
    if (this.stopped) return;
    const delay = rejoinDelayMs(attempt);
    this.logger.warn({ msg: 'rejoining the consumer group', attempt: attempt + 1, inMs: delay });
    this.rejoinTimer = setTimeout(() => {
      if (this.stopped) return;
      this.consumer
        .connect()
        // stop() may have come while connecting: then it must not start consuming again.
        .then(() => (this.stopped ? this.consumer.disconnect() : this.consumer.run(this.runConfig(handlers))))
        .catch((err: unknown) => {
          this.logger.error({ msg: 'rejoining the consumer group failed', err: String(err) });
          this.scheduleRejoin(handlers, attempt + 1);
        });
    }, delay);
  }

  private runConfig(handlers: SourceHandlers): ConsumerRunConfig {
    return {
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        // A batch fetched before a rebalance: Kafka will hand it out again under the new assignment.
        if (payload.isStale()) return;
        let release = (): void => undefined;
        this.inFlight = new Promise((r) => (release = r));
        try {
          handlers.onBatch({
            topic: batch.topic,
            partition: batch.partition,
            highWatermark: batch.highWatermark,
            messages: batch.messages,
          });
          // "Resolved" only moves the fetch position; nothing is committed until a flush succeeds.
          const last = batch.messages[batch.messages.length - 1];
          if (last) payload.resolveOffset(last.offset);
          await payload.heartbeat();
        } finally {
          release();
        }
      },
    };
  }

  pause(): void {
    this.paused = true;
    this.apply();
  }

  resume(): void {
    this.paused = false;
    this.apply();
  }

  /**
   * kafkajs only accepts pause/resume while its consumer group exists; after a broker restart it may
   * be rebuilding it. The wanted state is kept and applied again when the group is joined.
   */
  private apply(): void {
    try {
      if (this.paused) this.consumer.pause([{ topic: this.topic }]);
      else this.consumer.resume([{ topic: this.topic }]);
    } catch (err) {
      this.logger.warn({ msg: `could not ${this.paused ? 'pause' : 'resume'} fetching yet`, err: String(err) });
    }
  }

  async commit(commits: Commit[]): Promise<void> {
    if (commits.length) await this.consumer.commitOffsets(commits);
  }

  idle(): Promise<void> {
    return this.inFlight;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.rejoinTimer);
    await this.consumer.disconnect();
  }
}
