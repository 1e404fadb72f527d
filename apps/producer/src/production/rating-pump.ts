import { setImmediate as yieldToIo } from 'node:timers/promises';
import { Rating } from '@reeltime/contracts';
import { Pacer } from '../pacing/pacer';
import { EventPublisher } from '../publishing/event-publisher';
import { Clock, sleep } from '@reeltime/runtime';

export interface RatingSource {
  next(now: number): Rating;
}

export interface PumpOptions {
  /** Stop after this many events (the CLI's --count); unbounded when absent. */
  limit?: number;
  /** Most events generated between two yields to the event loop. */
  chunk?: number;
  /**
   * Shortest pause when the pacer has nothing to grant (default 5 ms). Waking once per millisecond
   * would send many tiny batches; the token bucket keeps what accrues meanwhile, so the rate holds.
   */
  minSleepMs?: number;
  /** Called for every chunk handed to the publisher. */
  onGenerated?(count: number): void;
}

/**
 * The production loop: asks the pacer how many events may go now, takes them from the source and
 * hands them to the publisher, waiting whenever the publisher pushes back. `stop()` ends it between
 * two chunks; what was handed over is the publisher's to deliver (flush).
 */
export class RatingPump {
  private stopping = false;
  private loop?: Promise<void>;
  private count = 0;

  constructor(
    private readonly source: RatingSource,
    private readonly pacer: Pacer,
    private readonly publisher: EventPublisher,
    private readonly clock: Clock,
    private readonly options: PumpOptions = {},
  ) {}

  get generated(): number {
    return this.count;
  }

  get running(): boolean {
    return this.loop !== undefined;
  }

  /** Starts the loop; the promise resolves when it ends (limit reached or stopped) and rejects if it fails. */
  start(): Promise<void> {
    if (this.loop) return this.loop;
    this.stopping = false;
    const loop = this.run().finally(() => {
      this.loop = undefined;
    });
    this.loop = loop;
    return loop;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    const chunk = this.options.chunk ?? 1000;
    const limit = this.options.limit ?? Infinity;
    const minSleep = this.options.minSleepMs ?? 5;
    while (!this.stopping && this.count < limit) {
      if (!this.publisher.writable) {
        await this.publisher.whenWritable();
        continue;
      }
      const n = this.pacer.take(Math.min(chunk, limit - this.count));
      if (n === 0) {
        await sleep(Math.max(minSleep, Math.ceil(this.pacer.msUntilAvailable())));
        continue;
      }
      for (let i = 0; i < n; i++) this.publisher.publish(this.source.next(this.clock.now()));
      this.count += n;
      this.options.onGenerated?.(n);
      // Let the publisher's sends and the HTTP server run between chunks.
      await yieldToIo();
    }
  }
}
