import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { checkRatingKey, decodeRatingEvent } from '@reeltime/contracts';
import { KafkaConnection } from '@reeltime/kafka';
import { BoundedMemo } from '../bounded-memo';
import { ConsumerMetrics } from '../consumer.metrics';
import { DeadLetterSink } from '../publish/dead-letter.sink';
import { PipelinePublisher } from '../publish/pipeline.publisher';
import { BatchWriter, WriteOutcome } from '../stats/batch-writer';
import { PartitionsMoved } from '../stats/partitions-moved';
import { StatsCache } from '../stats/stats-cache';
import { FlushHealth, FlushStage } from './flush-health';
import { Batch, MicroBatcher } from './micro-batcher';
import { FetchedBatch, RatingsSource } from './ratings.source';
import { Clock, backoffMs, sleep, waitAtMost } from '@reeltime/runtime';
/** How long each step of a flush took (its last attempt), for the "flushed" log line. */
type Steps = Partial<Record<'writeMs' | 'deadLettersMs' | 'publishMs' | 'commitMs', number>>;

/** What the attempts at one batch have done so far, so a retry repeats only what failed. */
interface FlushProgress {
  /** False once a rebalance made the batch another consumer's. */
  current: () => boolean;
  /** When the flush began (the consumer's clock), for the flush report the stats carry. */
  startedAt: number;
  steps: Steps;
  stage: FlushStage;
  outcome?: WriteOutcome;
  lettersDelivered?: boolean;
  published?: boolean;
}
async function timed<T>(steps: Steps, step: keyof Steps, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    steps[step] = Math.round(performance.now() - started);
  }
}
/** 400 ms after the first failure, doubling up to 10 s. */
const retryDelayMs = (attempt: number): number => backoffMs(attempt, 200, 10_000);

/**
 * The consumer's pipeline: validate each message, buffer it in the micro-batcher, and flush when the
 * batch is due: Cassandra rows and stats together with the dead letters, then the stats messages, and
 * the offsets committed only after all of them. A failing flush is retried with backoff while fetching is paused,
 * so memory stays bounded and nothing is skipped.
 */
@Injectable()
export class IngestService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IngestService.name);
  private readonly batcher: MicroBatcher;
  /**
   * One shared copy of each repeated name and title. JSON.parse makes a fresh copy in every message;
   * a batch keeps tens of thousands of events alive through a flush, so without this each copy is
   * moved to the old generation and marked there.
   */
  private readonly names = new BoundedMemo((s: string) => s);
  private readonly movies = new BoundedMemo((s: string) => s);
  /** Bumped when partitions may move; a flush that started under an older generation is abandoned. */
  private generation = 0;
  private flushing?: Promise<void>;
  private paused = false;
  private stopping = false;
  /** Set at SIGTERM: no flush retries past it. */
  private shutdownDeadline = Infinity;
  /** A batch was given up at shutdown, so nothing buffered after it may be committed. */
  private gaveUp = false;
  private timer?: NodeJS.Timeout;
  private lagTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly source: RatingsSource,
    private readonly writer: BatchWriter,
    private readonly publisher: PipelinePublisher,
    private readonly deadLetters: DeadLetterSink,
    private readonly health: FlushHealth,
    private readonly cache: StatsCache,
    private readonly kafka: KafkaConnection,
    private readonly metrics: ConsumerMetrics,
    private readonly clock: Clock,
  ) {
    const { intervalMs, maxRecords, maxBytes, maxUserHours } = config.batch;
    this.batcher = new MicroBatcher({ intervalMs, maxRecords, maxBytes, maxUserHours });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { ratings, dlq, stats } = this.config.kafka.topics;
    await this.kafka.ensureTopics([ratings, dlq, stats]);
    // Batches come through the transport (RatingsController), which starts reading once the app is up.
    this.source.on('rebalance', () => this.onRebalance());
    this.timer = setInterval(() => this.tick(), Math.max(10, Math.min(250, this.config.batch.intervalMs / 4)));
    this.lagTimer = setInterval(() => void this.updateLag(), 10_000);
    this.logger.log({
      msg: 'consuming',
      topic: ratings,
      group: this.config.kafka.consumerGroup,
      batchIntervalMs: this.config.batch.intervalMs,
      batchMaxRecords: this.config.batch.maxRecords,
      batchMaxBytes: this.config.batch.maxBytes,
    });
  }

  /**
   * SIGTERM: stop fetching, flush what is buffered, commit, then let the modules disconnect. Bounded by
   * CONSUMER_SHUTDOWN_TIMEOUT_MS even while a flush is retrying: a batch not written by then keeps its
   * offsets uncommitted and is redelivered, as after a crash.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.shutdownDeadline = this.clock.now() + this.config.batch.shutdownTimeoutMs;
    clearInterval(this.timer);
    clearInterval(this.lagTimer);
    this.pause();
    await this.source.idle();
    // A flush attempt in flight is bounded by the driver's and kafkajs's own timeouts, which can add up
    // to more than the deadline: past it, the batch is given up rather than waited for.
    const inFlight = this.flushing;
    if (inFlight) {
      await waitAtMost(inFlight, this.shutdownDeadline - this.clock.now());
      if (this.flushing) this.gaveUp = true;
    }
    // A later batch must never be committed over an earlier one that was not written.
    const batch = this.gaveUp ? undefined : this.batcher.drain();
    if (batch) await this.flush(batch);
    try {
      await this.source.close();
    } catch (err) {
      // Everything flushed is committed already; leaving the group late only delays the next rebalance.
      this.logger.warn({ msg: 'leaving the consumer group failed', err: String(err) });
    }
    this.logger.log({
      msg: this.gaveUp ? 'stopped; unwritten batches will be redelivered' : 'stopped after the final flush',
    });
  }

  /** A fetched batch, from the transport: decoded and buffered; flushed on the micro-batch's schedule. */
  accept(fetched: FetchedBatch): void {
    const now = this.clock.now();
    const { maxFutureSkewMs, maxMessageBytes: maxBytes } = this.config.batch;
    const options = { now, maxFutureSkewMs, maxBytes };
    let written = 0;
    for (const m of fetched.messages) {
      const source = { topic: fetched.topic, partition: fetched.partition, offset: m.offset };
      const decoded = decodeRatingEvent(m.value, options);
      // A user's events must all sit in the partition their name hashes to: the stats cache relies
      // on one consumer owning all of a user's events.
      const reason = decoded.ok ? checkRatingKey(m.key, decoded.rating.name) : decoded.reason;
      if (decoded.ok && reason === undefined) {
        const { rating } = decoded;
        rating.name = this.names.get(rating.name);
        rating.movie = this.movies.get(rating.movie);
        this.batcher.addRating(rating, source, now, (m.key?.length ?? 0) + (m.value?.length ?? 0));
        written += 1;
      } else {
        this.batcher.addDeadLetter({ source, key: m.key, value: m.value, reason: reason ?? 'invalid' }, now);
        this.metrics.records.inc({ outcome: 'dead_letter' });
      }
    }
    this.metrics.records.inc({ outcome: 'written' }, written);
    const last = fetched.messages[fetched.messages.length - 1];
    if (last)
      this.metrics.lag.set(
        { partition: String(fetched.partition) },
        Math.max(0, Number(fetched.highWatermark) - Number(last.offset) - 1),
      );
    if (this.batcher.isFull) {
      this.pause();
      this.kick();
    }
  }

  private onRebalance(): void {
    this.generation += 1;
    // Kafka re-sends everything not committed to whoever owns each partition now, and another
    // consumer may have written this one's users meanwhile: start from Cassandra again.
    this.batcher.clear();
    this.writer.forget();
  }

  private tick(): void {
    if (this.stopping) return;
    if (this.batcher.isDue(this.clock.now())) this.kick();
    // Fetching is paused only while the buffer is full or a flush is retrying; a rebalance that
    // emptied the buffer between those must not leave it paused.
    else if (this.paused && !this.flushing && !this.batcher.isFull) this.resume();
  }

  private kick(): void {
    if (this.flushing || this.stopping) return;
    this.flushing = this.flushDue()
      .catch((err: unknown) => this.logger.error({ msg: 'flush loop failed; the next tick retries', err: String(err) }))
      .finally(() => {
        this.flushing = undefined;
      });
  }

  private async flushDue(): Promise<void> {
    while (!this.stopping && this.batcher.isDue(this.clock.now())) {
      const batch = this.batcher.drain();
      if (!batch) break;
      // The buffer is empty again, so fetching can fill the next batch while this one is written:
      // at most two batches are held, and the consumer never waits for Kafka after a flush.
      if (this.paused) this.resume();
      await this.flush(batch);
    }
    if (!this.stopping && this.paused && !this.batcher.isFull) this.resume();
  }

  /**
   * Writes one batch and delivers its dead letters (together), publishes its stats updates, and only
   * then commits its offsets, retrying whichever step failed until all have succeeded. Publishing before
   * the commit makes the stats messages at-least-once: a crash before the commit redelivers the batch,
   * which publishes them again. Gives the batch up (offsets uncommitted, so Kafka redelivers it) when its
   * partitions move or the shutdown deadline passes.
   */
  private async flush(batch: Batch): Promise<void> {
    const started = this.clock.now();
    this.logger.log({ msg: 'flush started', ratings: batch.ratings.length, deadLetters: batch.deadLetters.length });
    const generation = this.generation;
    const progress: FlushProgress = {
      current: () => generation === this.generation,
      startedAt: started,
      steps: {},
      stage: 'cassandra',
    };
    for (let attempt = 1; ; attempt++) {
      if (!progress.current()) {
        this.logger.warn({
          msg: 'abandoned a batch after a rebalance; Kafka will redeliver it',
          size: batch.ratings.length,
        });
        return;
      }
      progress.stage = 'cassandra';
      try {
        const outcome = await this.writeAndPublish(batch, progress);
        return await this.commit(batch, outcome, started, progress.steps);
      } catch (err) {
        // Not a failure: the check at the top of the loop gives the batch up.
        if (err instanceof PartitionsMoved) continue;
        if (!(await this.failed(batch, err, progress.stage, attempt))) return;
      }
    }
  }

  /**
   * One attempt at what precedes the commit; steps an earlier attempt completed are not repeated.
   * Both go to Cassandra in the end (the dead-letter sink falls back to a table), and the sink waits at
   * most one budget for the DLQ topic, so dead letters never hold the ratings back long. Both are
   * awaited, failed or not, so no step of this attempt runs on into the next one.
   */
  private async writeAndPublish(batch: Batch, p: FlushProgress): Promise<WriteOutcome> {
    const [written, delivered] = await Promise.allSettled([
      p.outcome ?? timed(p.steps, 'writeMs', () => this.writer.write(batch.ratings, this.clock.now(), p.current)),
      p.lettersDelivered
        ? undefined
        : timed(p.steps, 'deadLettersMs', () => this.deadLetters.deliver(batch.deadLetters)),
    ]);
    if (delivered.status === 'fulfilled') p.lettersDelivered = true;
    if (written.status === 'rejected') throw written.reason;
    const outcome = (p.outcome = written.value);
    if (delivered.status === 'rejected') throw delivered.reason;
    p.stage = 'kafka';
    if (!p.published) {
      const report = {
        openedAt: batch.openedAt,
        startedAt: p.startedAt,
        ratings: batch.ratings.length,
        writeMs: p.steps.writeMs ?? 0,
      };
      await timed(p.steps, 'publishMs', () => this.publisher.stats(outcome.stats, report));
    }
    p.published = true;
    return outcome;
  }

  /**
   * Records a failed attempt and waits before the next; false when the shutdown deadline leaves no time
   * for another, so the batch is given up with its offsets uncommitted.
   */
  private async failed(batch: Batch, err: unknown, stage: FlushStage, attempt: number): Promise<boolean> {
    this.metrics.flushFailures.inc();
    this.health.failed(stage, err);
    const wait = Math.min(retryDelayMs(attempt), this.shutdownDeadline - this.clock.now());
    const size = batch.ratings.length;
    if (wait <= 0) {
      this.gaveUp = true;
      this.logger.error({
        msg: 'gave up a batch at shutdown; its offsets stay uncommitted and will be redelivered',
        size,
        err: String(err),
      });
      return false;
    }
    // Stop fetching while Cassandra (or Kafka) is failing, instead of buffering without limit.
    this.pause();
    this.logger.warn({
      msg: 'flush failed, retrying',
      stage,
      attempt,
      retryInMs: wait,
      size,
      err: String(err),
      // A programming error, unlike a timeout, is only found with its stack.
      ...(err instanceof TypeError || err instanceof RangeError ? { stack: err.stack } : {}),
    });
    await sleep(wait);
    return true;
  }

  /** Commits a written and published batch; never throws. */
  private async commit(batch: Batch, outcome: WriteOutcome, started: number, steps: Steps): Promise<void> {
    try {
      await timed(steps, 'commitMs', () => this.source.commit(batch.commits));
    } catch (err) {
      // Typically the partitions moved: the new owner gets the batch again and rewrites the same rows.
      this.metrics.commitFailures.inc();
      this.logger.warn({ msg: 'offset commit failed; the batch will be redelivered', err: String(err) });
    }
    this.health.succeeded();
    const size = batch.ratings.length + batch.deadLetters.length;
    const seconds = (this.clock.now() - started) / 1000;
    this.metrics.batchSize.observe(size);
    this.metrics.flushSeconds.observe(seconds);
    this.metrics.rebuilds.inc(outcome.rebuilt);
    this.metrics.pointReads.inc(outcome.pointReads);
    this.metrics.cacheEntries.set(this.cache.size);
    this.metrics.cacheBytes.set(this.cache.bytes);
    this.logger.log({
      msg: 'flushed',
      ratings: batch.ratings.length,
      deadLetters: batch.deadLetters.length,
      userHours: outcome.stats.length,
      rebuilt: outcome.rebuilt,
      readBackMs: outcome.readBackMs,
      fresh: outcome.fresh,
      pointReads: outcome.pointReads,
      trendingRows: outcome.trendingRows,
      ms: Math.round(seconds * 1000),
      ...steps,
    });
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.metrics.paused.set(1);
    this.source.pause();
  }

  private resume(): void {
    this.paused = false;
    this.metrics.paused.set(0);
    this.source.resume();
  }

  private async updateLag(): Promise<void> {
    try {
      const lag = await this.kafka.lag(this.config.kafka.consumerGroup, this.config.kafka.topics.ratings);
      for (const p of lag) this.metrics.lag.set({ partition: String(p.partition) }, p.lag);
    } catch (err) {
      this.logger.debug({ msg: 'lag unavailable', err: String(err) });
    }
  }
}
