import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { Consumer, ConsumerRunConfig, KafkaConnection } from '@reeltime/kafka';
import { withTimeout } from '@reeltime/observability';

/** Delay before rejoining after kafkajs gave up: 1 s, doubling to 30 s while rejoining keeps failing. */
const rejoinDelayMs = (attempt: number): number => Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));

const SESSION_TIMEOUT_MS = 30_000;
/**
 * How long the consumer may go without fetching, heartbeating, joining or crashing before it is replaced
 * by a new one. A healthy consumer fetches every 100 ms even while paused, and a rejoin after a broker restart
 * waits for the group's previous member to time out (one session); twice that and more means kafkajs
 * has wedged (seen after a broker restart: JoinGroup answered "coordinator is loading", then silence).
 */
export const STALL_MS = 2 * SESSION_TIMEOUT_MS + 15_000;
const WATCHDOG_EVERY_MS = 5_000;
/** A disconnect of a wedged consumer can hang on the same dead request: it is given this long. */
const DISCONNECT_WAIT_MS = 10_000;

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
  private consumer: Consumer;
  private handlers?: SourceHandlers;
  private inFlight: Promise<void> = Promise.resolve();
  private paused = false;
  private stopped = false;
  /** A rejoin is scheduled or under way: the watchdog leaves the consumer alone meanwhile. */
  private rejoining = false;
  private rejoinTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  /** When the current consumer last fetched, heartbeated, joined or crashed. */
  private lastProgress = Date.now();

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {
    super();
    this.consumer = this.createConsumer();
  }

  private get topic(): string {
    return this.config.kafka.topics.ratings;
  }

  private createConsumer(): Consumer {
    return this.kafka.createConsumer({
      groupId: this.config.kafka.consumerGroup,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: 3_000,
      // Bounds what one fetch can add on top of BATCH_MAX_RECORDS while fetching is being paused.
      maxBytesPerPartition: 1_048_576,
      // Also how long kafkajs sleeps while every partition is paused: short, so a resume takes effect at once.
      maxWaitTimeInMs: 100,
    });
  }

  async start(handlers: SourceHandlers): Promise<void> {
    this.handlers = handlers;
    this.listen(this.consumer);
    await this.consumer.connect();
    // A new group starts at the beginning of the topic, so a backlog written before the first start is read.
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run(this.runConfig(this.consumer, handlers));
    this.lastProgress = Date.now();
    this.watchdog = setInterval(() => this.checkProgress(), WATCHDOG_EVERY_MS);
    this.watchdog.unref();
  }

  /** Events of a consumer that has been replaced are ignored. */
  private listen(consumer: Consumer): void {
    const { REBALANCING, GROUP_JOIN, CRASH, FETCH_START, HEARTBEAT } = consumer.events;
    const current = (): boolean => consumer === this.consumer && !this.stopped;
    const progress = (): void => {
      if (current()) this.lastProgress = Date.now();
    };
    consumer.on(FETCH_START, progress);
    consumer.on(HEARTBEAT, progress);
    consumer.on(REBALANCING, () => current() && this.handlers?.onRebalance());
    consumer.on(GROUP_JOIN, (e) => {
      if (!current()) return;
      progress();
      this.logger.log({ msg: 'joined consumer group', assignment: e.payload.memberAssignment });
      this.handlers?.onRebalance();
      if (this.paused) this.apply();
    });
    consumer.on(CRASH, (e) => {
      if (!current()) return;
      // While the broker is down kafkajs crashes and restarts over and over: that is not a wedge.
      progress();
      const { error, restart } = e.payload;
      this.logger.error({ msg: 'kafka consumer crashed', error: String(error), restart });
      // kafkajs restarts by itself after retriable errors only. After any other it has left the group
      // and stays disconnected, and a consumer service that no longer consumes must not look alive.
      if (!restart) this.rejoin(false);
    });
  }

  private checkProgress(): void {
    if (this.stopped || this.rejoining) return;
    const silentMs = Date.now() - this.lastProgress;
    if (silentMs < STALL_MS) return;
    this.logger.error({ msg: 'kafka consumer made no progress; replacing it', silentMs });
    this.rejoin(true);
  }

  /**
   * Drops what was fetched (the partitions may move while out of the group) and runs again, retried with
   * backoff until it works. After kafkajs gave up, the same consumer connects again (its subscription
   * survives); a wedged one is disconnected and replaced by a new one.
   */
  private rejoin(replace: boolean): void {
    this.rejoining = true;
    this.handlers?.onRebalance();
    if (replace) {
      const old = this.consumer;
      this.consumer = this.createConsumer();
      this.listen(this.consumer);
      void withTimeout(old.disconnect(), DISCONNECT_WAIT_MS).catch((err: unknown) =>
        this.logger.warn({ msg: 'could not disconnect the replaced kafka consumer', err: String(err) }),
      );
    }
    this.scheduleRejoin(0, replace);
  }

  private scheduleRejoin(attempt: number, subscribe: boolean): void {
    if (this.stopped) return;
    const delay = rejoinDelayMs(attempt);
    this.logger.warn({ msg: 'rejoining the consumer group', attempt: attempt + 1, inMs: delay });
    this.rejoinTimer = setTimeout(() => void this.connectAndRun(attempt, subscribe), delay);
  }

  private async connectAndRun(attempt: number, subscribe: boolean): Promise<void> {
    if (this.stopped || !this.handlers) return;
    const consumer = this.consumer;
    try {
      await consumer.connect();
      if (subscribe) await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      // stop() may have come while connecting: then it must not start consuming again.
      if (this.stopped) return void (await consumer.disconnect());
      await consumer.run(this.runConfig(consumer, this.handlers));
      this.lastProgress = Date.now();
      this.rejoining = false;
    } catch (err) {
      this.logger.error({ msg: 'rejoining the consumer group failed', err: String(err) });
      this.scheduleRejoin(attempt + 1, subscribe);
    }
  }

  private runConfig(consumer: Consumer, handlers: SourceHandlers): ConsumerRunConfig {
    return {
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        // A batch fetched before a rebalance, or by a consumer being replaced: Kafka will hand it out
        // again under the new assignment.
        if (payload.isStale() || consumer !== this.consumer) return;
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
    clearInterval(this.watchdog);
    await this.consumer.disconnect();
  }
}
