import { Logger } from '@nestjs/common';
import { BaseRpcContext, CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Consumer, ConsumerConfig, EachBatchPayload } from 'kafkajs';
import { KafkaConnection } from '../kafka-connection';
import { retryRetriable } from './retry';
import { backoffMs, sleep, withTimeout } from '@reeltime/runtime';

/** One fetched batch of one partition, as a handler receives it. */
export interface KafkaBatch {
  topic: string;
  partition: number;
  /** End of the partition's log at fetch time. */
  highWatermark: string;
  /** kafkajs's own messages: `timestamp` is epoch ms as a string; header values are Buffers. */
  messages: Array<{
    offset: string;
    key: Buffer | null;
    value: Buffer | null;
    timestamp?: string;
    headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
  }>;
}

export interface OffsetCommit {
  topic: string;
  partition: number;
  /** The next offset to read (the last one handled + 1). */
  offset: string;
}

/** What `@Ctx()` gives a handler: where the batch came from. */
export class KafkaBatchContext extends BaseRpcContext<[topic: string, partition: number, highWatermark: string]> {
  getTopic(): string {
    return this.args[0];
  }
  getPartition(): number {
    return this.args[1];
  }
  getHighWatermark(): string {
    return this.args[2];
  }
}

export interface KafkaBatchServerOptions {
  groupId: string;
  /** Handler patterns (logical names such as `ratings`) to the configured topic names. */
  topics: Record<string, string>;
  consumer?: Omit<ConsumerConfig, 'groupId'>;
  /**
   * Offsets are committed only by commit(), once the handler's work is durable. Otherwise kafkajs
   * commits what was handed to the handlers.
   */
  manualCommit?: boolean;
  /**
   * Where reading starts: `beginning` or `latest` for a group with no committed offsets (then where
   * it left off); `now` moves the group to the topics' ends each time it (re)joins: a group of one
   * instance's own that must see everything from now on and nothing older.
   */
  start: 'beginning' | 'latest' | 'now';
  /**
   * A failed first start fails the service (`fail`), or is retried in the background with the
   * service running (`retry`; then listen returns after `waitMs` at most).
   */
  onStartFailure: 'fail' | 'retry';
  waitMs?: number;
  /** Delete the group on close: it belongs to this instance and will not be used again. */
  ownGroup?: boolean;
  /** Replace a consumer that has shown no sign of life for this long; 0: never. */
  stallMs?: number;
  /**
   * Replace a consumer that, not paused, has handed over nothing for this long while records wait on
   * its partitions; 0: never. It looks alive (heartbeats, empty fetches) and reads nothing: seen after
   * a broker restart, when a rejoin answered "coordinator is loading" left kafkajs fetching nothing.
   */
  starvedMs?: number;
}

/** What a server reports besides batches. */
type BatchServerEvents = {
  /** The consumer joined its group (again): partitions are assigned. */
  joined: () => void;
  /** Partitions are about to move or have moved: whatever was fetched and not committed is redelivered. */
  rebalance: () => void;
  /** kafkajs crashed; with `restart` it rejoins by itself, resuming where the group left off. */
  crashed: (error: unknown, restart: boolean) => void;
  /**
   * The consumer left its group for good (kafkajs gave up, or it was replaced) and is rejoining; with
   * start `now` what is published until it has joined again is not seen.
   */
  lost: (reason: string) => void;
};

const rejoinDelayMs = (attempt: number): number => backoffMs(Math.min(attempt, 5), 1000, 30_000);
const WATCHDOG_EVERY_MS = 5_000;
/** A disconnect of a wedged consumer can hang on the same dead request: it is given this long. */
const DISCONNECT_WAIT_MS = 10_000;

/**
 * A NestJS transport for reading Kafka a batch at a time, on the project's kafkajs adapter: one
 * `@EventPattern` handler call per fetched batch of a partition, explicit commits after the handler's
 * work is durable, pause/resume for back-pressure, rebalance events, and a consumer that rejoins by
 * itself when kafkajs gives up or goes silent. Nest's own Kafka transport hands over one message at a
 * time, commits on its own schedule, needs topic names as constants and builds its own client.
 */
export class KafkaBatchServer extends Server<BatchServerEvents> implements CustomTransportStrategy {
  protected override readonly logger: Logger;
  private consumer?: Consumer;
  private readonly listeners: { [E in keyof BatchServerEvents]: Array<BatchServerEvents[E]> } = {
    joined: [],
    rebalance: [],
    crashed: [],
    lost: [],
  };
  private inFlight: Promise<void> = Promise.resolve();
  private paused = false;
  private stopped = false;
  /** A rejoin is scheduled or under way: the watchdog leaves the consumer alone meanwhile. */
  private rejoining = false;
  private rejoinTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private lastProgress = Date.now();
  private closing?: Promise<void>;
  /** Partitions per topic of the last join; unknown before the first. */
  private assignment?: Record<string, number[]>;
  /** Next offset after the last record handed over, per `topic/partition`, since the last join. */
  private readonly handedOver = new Map<string, number>();
  private lastHandover = Date.now();
  /** Since when records have been seen waiting with nothing handed over; unset while reading. */
  private starvedSince?: number;
  private checkingBacklog = false;
  private handling = false;

  constructor(
    private readonly kafka: KafkaConnection,
    private readonly options: KafkaBatchServerOptions,
    transportId?: symbol,
  ) {
    super();
    this.logger = new Logger(`KafkaBatchServer ${options.groupId}`);
    if (transportId) this.transportId = transportId;
  }

  on<E extends keyof BatchServerEvents>(event: E, callback: BatchServerEvents[E]): void {
    (this.listeners[event] as Array<BatchServerEvents[E]>).push(callback);
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private emitEvent<E extends keyof BatchServerEvents>(event: E, ...args: Parameters<BatchServerEvents[E]>): void {
    for (const listener of this.listeners[event]) (listener as (...a: unknown[]) => void)(...args);
  }

  /** The topics of the patterns some handler of this transport listens to. */
  private get topics(): string[] {
    const topics: string[] = [];
    for (const pattern of this.getHandlers().keys()) {
      const topic = this.options.topics[pattern];
      if (!topic) throw new Error(`no topic configured for the event pattern "${pattern}"`);
      topics.push(topic);
    }
    return topics;
  }

  private patternOf(topic: string): string | undefined {
    return Object.keys(this.options.topics).find((p) => this.options.topics[p] === topic);
  }

  async listen(callback: (err?: Error) => void): Promise<void> {
    const first = this.run().then(
      () => true,
      (err: unknown) => {
        if (this.options.onStartFailure === 'fail') throw err;
        this.logger.warn({ msg: 'could not start reading; retrying in the background', err: String(err) });
        this.scheduleRejoin(0);
        return false;
      },
    );
    try {
      if (this.options.onStartFailure === 'retry' && this.options.waitMs !== undefined) {
        const waited = await Promise.race([
          first,
          sleep(this.options.waitMs, { unref: true }).then(() => 'late' as const),
        ]);
        // Said only where start-up meant to wait: with waitMs 0 not waiting is the plan.
        if (waited === 'late' && this.options.waitMs > 0) {
          this.logger.warn({ msg: 'not reading yet; the service starts meanwhile' });
        }
      } else {
        await first;
      }
      if (this.options.stallMs || this.options.starvedMs) {
        this.watchdog = setInterval(() => this.checkProgress(), WATCHDOG_EVERY_MS);
        this.watchdog.unref();
      }
      callback();
    } catch (err) {
      callback(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Creates, connects, subscribes and runs a consumer; the one before it, if any, is let go. */
  private async run(): Promise<void> {
    const { groupId, consumer: options, start, manualCommit } = this.options;
    const topics = this.topics;
    await this.kafka.ensureTopics(topics);
    const consumer = this.kafka.createConsumer({ ...options, groupId });
    this.consumer = consumer;
    this.listenTo(consumer);
    try {
      await consumer.connect();
      if (start === 'now') await this.moveToEnd(topics);
      for (const topic of topics) {
        // A topic another instance created a moment ago may have no leader yet.
        await retryRetriable(() => consumer.subscribe({ topic, fromBeginning: start === 'beginning' }));
      }
      // stop() may have come while connecting: then it must not start consuming.
      if (this.stopped) return void (await consumer.disconnect());
      await consumer.run({
        autoCommit: !manualCommit,
        eachBatchAutoResolve: !manualCommit,
        eachBatch: (payload) => this.handleBatch(consumer, payload),
      });
      this.lastProgress = Date.now();
      this.readingAgain();
      this.logger.log({ msg: 'reading', topics, groupId });
    } catch (err) {
      await withTimeout(consumer.disconnect(), DISCONNECT_WAIT_MS).catch(() => undefined);
      throw err;
    }
  }

  private async moveToEnd(topics: string[]): Promise<void> {
    const admin = await this.kafka.admin();
    for (const topic of topics) {
      const ends = await retryRetriable(() => admin.fetchTopicOffsets(topic));
      await admin.setOffsets({
        groupId: this.options.groupId,
        topic,
        partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })),
      });
    }
  }

  private async handleBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    // A batch fetched before a rebalance, or by a consumer being replaced: Kafka hands it out again.
    if (payload.isStale() || consumer !== this.consumer) return;
    // kafkajs hands over every partition's batch of a fetch response, even those that come after the
    // handler paused fetching: with 6 partitions a full buffer grew by up to 6 × maxBytesPerPartition
    // (a 10,000 user-hour batch closed at 30,000). With manual commits such a batch is left unresolved
    // instead, and kafkajs fetches it again from the same offset after the resume.
    if (this.paused && this.options.manualCommit) return;
    const { batch } = payload;
    const pattern = this.patternOf(batch.topic);
    if (pattern === undefined) return;
    let release = (): void => undefined;
    this.inFlight = new Promise((r) => (release = r));
    this.handling = true;
    this.lastHandover = Date.now();
    this.starvedSince = undefined;
    const last = batch.messages[batch.messages.length - 1];
    if (last) {
      const key = `${batch.topic}/${batch.partition}`;
      this.handedOver.set(key, Math.max(this.handedOver.get(key) ?? 0, Number(last.offset) + 1));
    }
    try {
      const data: KafkaBatch = {
        topic: batch.topic,
        partition: batch.partition,
        highWatermark: batch.highWatermark,
        messages: batch.messages,
      };
      const context = new KafkaBatchContext([batch.topic, batch.partition, batch.highWatermark]);
      await this.handleEvent(pattern, { pattern, data }, context);
      if (this.options.manualCommit) {
        // "Resolved" only moves the fetch position; nothing is committed until commit() is called.
        if (last) payload.resolveOffset(last.offset);
        await payload.heartbeat();
      }
    } finally {
      this.handling = false;
      release();
    }
  }

  /** Events of a consumer that has been replaced are ignored. */
  private listenTo(consumer: Consumer): void {
    const { REBALANCING, GROUP_JOIN, CRASH, FETCH_START, HEARTBEAT } = consumer.events;
    const current = (): boolean => consumer === this.consumer && !this.stopped;
    const progress = (): void => {
      if (current()) this.lastProgress = Date.now();
    };
    consumer.on(FETCH_START, progress);
    consumer.on(HEARTBEAT, progress);
    consumer.on(REBALANCING, () => current() && this.emitEvent('rebalance'));
    consumer.on(GROUP_JOIN, (e) => {
      if (!current()) return;
      progress();
      this.logger.log({ msg: 'joined consumer group', assignment: e.payload.memberAssignment });
      this.assignment = e.payload.memberAssignment;
      this.readingAgain();
      this.emitEvent('rebalance');
      this.emitEvent('joined');
      if (this.paused) this.apply();
    });
    consumer.on(CRASH, (e) => {
      if (!current()) return;
      // While the broker is down kafkajs crashes and restarts over and over: that is not a wedge.
      progress();
      const { error, restart } = e.payload;
      this.logger.error({ msg: 'kafka consumer crashed', error: String(error), restart });
      this.emitEvent('crashed', error, restart);
      // kafkajs restarts by itself after retriable errors only. After any other it has left the group
      // and stays disconnected, and a service that no longer consumes must not look alive.
      if (!restart) this.rejoin(`kafkajs gave up: ${String(error)}`);
    });
  }

  private checkProgress(): void {
    if (this.stopped || this.rejoining) return;
    const silentMs = Date.now() - this.lastProgress;
    if (silentMs >= (this.options.stallMs ?? Infinity)) {
      this.logger.error({ msg: 'kafka consumer made no progress; replacing it', silentMs });
      return this.rejoin(`no progress for ${silentMs} ms`);
    }
    void this.checkStarved();
  }

  /** A new start or join: reading starts again from the committed offsets. */
  private readingAgain(): void {
    this.handedOver.clear();
    this.lastHandover = Date.now();
    this.starvedSince = undefined;
  }

  private async checkStarved(): Promise<void> {
    const limit = this.options.starvedMs;
    if (!limit || this.checkingBacklog || this.paused || this.handling) return;
    // Reading: no need to ask the broker anything.
    if (Date.now() - this.lastHandover < WATCHDOG_EVERY_MS) return;
    const consumer = this.consumer;
    this.checkingBacklog = true;
    try {
      const waiting = await this.waitingRecords();
      // What may have happened while the broker answered.
      if (consumer !== this.consumer || this.stopped || this.rejoining || this.paused || this.handling) return;
      if (waiting === 0 || Date.now() - this.lastHandover < WATCHDOG_EVERY_MS) {
        this.starvedSince = undefined;
        return;
      }
      this.starvedSince ??= Date.now();
      const starvedMs = Date.now() - this.starvedSince;
      if (starvedMs < limit) return;
      this.logger.error({ msg: 'kafka consumer reads nothing while records wait; replacing it', waiting, starvedMs });
      this.rejoin(`nothing read for ${starvedMs} ms with ${waiting} records waiting`);
    } catch (err) {
      // The broker is unreachable: kafkajs's crashes and the silence watchdog cover that.
      this.logger.debug({ msg: 'could not read how many records wait', err: String(err) });
    } finally {
      this.checkingBacklog = false;
    }
  }

  /** Records on this consumer's partitions past both the group's committed offset and what was handed over. */
  private async waitingRecords(): Promise<number> {
    let waiting = 0;
    for (const topic of this.topics) {
      const assigned = this.assignment?.[topic] ?? (this.assignment ? [] : undefined);
      for (const p of await this.kafka.lag(this.options.groupId, topic)) {
        if (assigned && !assigned.includes(p.partition)) continue;
        const position = Math.max(p.end - p.lag, this.handedOver.get(`${topic}/${p.partition}`) ?? 0);
        waiting += Math.max(0, p.end - position);
      }
    }
    return waiting;
  }

  /**
   * Lets the consumer go (what it fetched is redelivered) and starts a new one, retried with backoff
   * until it works.
   */
  private rejoin(reason: string): void {
    this.rejoining = true;
    this.readingAgain();
    this.emitEvent('rebalance');
    this.emitEvent('lost', reason);
    const old = this.consumer;
    this.consumer = undefined;
    if (old) {
      void withTimeout(old.disconnect(), DISCONNECT_WAIT_MS).catch((err: unknown) =>
        this.logger.warn({ msg: 'could not disconnect the replaced kafka consumer', err: String(err) }),
      );
    }
    this.scheduleRejoin(0);
  }

  private scheduleRejoin(attempt: number): void {
    if (this.stopped) return;
    this.rejoining = true;
    const delay = rejoinDelayMs(attempt);
    this.logger.warn({ msg: 'rejoining the consumer group', attempt: attempt + 1, inMs: delay });
    this.rejoinTimer = setTimeout(() => {
      this.run().then(
        () => (this.rejoining = false),
        (err: unknown) => {
          this.logger.error({ msg: 'rejoining the consumer group failed', err: String(err) });
          this.scheduleRejoin(attempt + 1);
        },
      );
    }, delay);
  }

  /** Stops fetching (back-pressure); kept and applied again after each join. */
  pause(): void {
    this.paused = true;
    this.apply();
  }

  resume(): void {
    // Time spent paused is not time spent starving.
    if (this.paused) {
      this.lastHandover = Date.now();
      this.starvedSince = undefined;
    }
    this.paused = false;
    this.apply();
  }

  /** kafkajs accepts pause/resume only while its consumer group exists; after a broker restart it may not. */
  private apply(): void {
    if (!this.consumer) return;
    const topics = this.topics.map((topic) => ({ topic }));
    try {
      if (this.paused) this.consumer.pause(topics);
      else this.consumer.resume(topics);
    } catch (err) {
      this.logger.warn({ msg: `could not ${this.paused ? 'pause' : 'resume'} fetching yet`, err: String(err) });
    }
  }

  /** With manualCommit: commits offsets whose batches are durable. */
  async commit(commits: OffsetCommit[]): Promise<void> {
    if (!commits.length) return;
    if (!this.consumer) throw new Error('not in the consumer group; the batch will be redelivered');
    await this.consumer.commitOffsets(commits);
  }

  /** Resolves when no fetched batch is being handed to a handler. */
  idle(): Promise<void> {
    return this.inFlight;
  }

  /** Leaves the group (and deletes it if it is this instance's own); safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= this.leave();
    return this.closing;
  }

  private async leave(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.rejoinTimer);
    clearInterval(this.watchdog);
    const consumer = this.consumer;
    if (!consumer) return;
    if (this.options.ownGroup) await this.kafka.closeOwnGroup(consumer, this.options.groupId);
    else await consumer.disconnect();
  }
}
