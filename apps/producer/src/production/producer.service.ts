import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { Catalogue } from '../catalogue/catalogue';
import { ProducerStatus } from '../control/producer-status';
import { RatingGenerator } from '../generation/rating-generator';
import { TokenBucket } from '../pacing/token-bucket';
import { EventPublisher } from '../publishing/event-publisher';
import { ProducerMetrics } from '../publishing/producer-metrics';
import { RatingPump } from './rating-pump';
import { Clock, RateMeter, waitAtMost } from '@reeltime/runtime';

const STOP_FLUSH_MS = 10_000;
const SHUTDOWN_FLUSH_MS = 30_000;

/**
 * Drives the synthetic viewers: runs a RatingPump over the generator, paced by a token bucket, and
 * answers the control endpoints. On shutdown it stops generating, flushes what is pending and
 * disconnects the publisher (before the Kafka connection closes).
 */
@Injectable()
export class ProducerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProducerService.name);
  private pump?: RatingPump;
  private bucket?: TokenBucket;
  private mode: 'rate' | 'interval';
  private targetRate: number;
  private generated = 0;
  private readonly meter = new RateMeter(5);
  private lastSent = 0;
  private sampler?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly publisher: EventPublisher,
    private readonly clock: Clock,
    private readonly metrics: ProducerMetrics,
    private readonly catalogue: Catalogue,
    private readonly generator: RatingGenerator,
  ) {
    const { intervalMs, users, rate } = config.producer;
    this.mode = intervalMs ? 'interval' : 'rate';
    this.targetRate = intervalMs ? (users * 1000) / intervalMs : rate;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { users, seed, autostart } = this.config.producer;
    await this.publisher.connect();
    this.sampler = setInterval(() => this.sample(), 1000);
    this.sampler.unref();
    this.logger.log({
      msg: 'producer ready',
      users,
      seed,
      catalogue: this.catalogue.size,
      mode: this.mode,
      targetRate: this.targetRate,
      autostart,
    });
    if (autostart) this.start();
  }

  private sample(): void {
    const { sent, pending } = this.publisher.stats();
    const now = this.clock.now();
    this.meter.record(sent - this.lastSent, now);
    this.lastSent = sent;
    this.metrics.currentRate.set(this.meter.rate(now));
    this.metrics.pending.set(pending);
  }

  get running(): boolean {
    return this.pump?.running ?? false;
  }

  start(): ProducerStatus {
    if (this.running) return this.status();
    this.bucket = new TokenBucket(this.targetRate, this.clock);
    const pump = new RatingPump(this.generator, this.bucket, this.publisher, this.clock, {
      onGenerated: (n) => {
        this.generated += n;
        this.metrics.generated.inc(n);
      },
    });
    this.pump = pump;
    pump.start().catch((err: unknown) => {
      this.logger.error({ msg: 'the production loop failed', err: String(err) });
      this.metrics.targetRate.set(0);
    });
    this.metrics.targetRate.set(this.targetRate);
    this.logger.log({ msg: 'producer started', mode: this.mode, targetRate: this.targetRate });
    return this.status();
  }

  /** Stops generating and waits (up to 10 s) until what was generated is acknowledged. */
  async stop(): Promise<ProducerStatus> {
    await this.pump?.stop();
    this.metrics.targetRate.set(0);
    await waitAtMost(this.publisher.flush(), STOP_FLUSH_MS);
    this.logger.log({ msg: 'producer stopped', ...this.publisher.stats() });
    return this.status();
  }

  /** A new target rate (ratings/s), from now on; leaves interval mode. */
  setRate(rate: number): ProducerStatus {
    this.mode = 'rate';
    this.targetRate = rate;
    this.generator.order = 'random';
    this.bucket?.setRate(rate);
    if (this.running) this.metrics.targetRate.set(rate);
    this.logger.log({ msg: 'target rate changed', rate });
    return this.status();
  }

  status(): ProducerStatus {
    const { users, seed, lateFraction, intervalMs } = this.config.producer;
    return {
      running: this.running,
      mode: this.mode,
      targetRate: this.targetRate,
      intervalMs: this.mode === 'interval' ? intervalMs : undefined,
      currentRate: this.meter.rate(this.clock.now()),
      users,
      seed,
      lateFraction,
      catalogueSize: this.catalogue.size,
      topic: this.config.kafka.topics.ratings,
      generated: this.generated,
      ...this.publisher.stats(),
    };
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    await this.pump?.stop();
    const lost = await this.publisher.close(SHUTDOWN_FLUSH_MS);
    this.logger.log({ msg: 'producer shut down', ...this.publisher.stats(), lost });
  }
}
