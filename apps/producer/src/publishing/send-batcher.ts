import { backoffMs } from '@reeltime/runtime';
export interface SendBatcherOptions {
  /** Most messages per send. */
  maxBatch: number;
  /** How long the first message of an idle batcher waits for company before it is sent. */
  lingerMs: number;
  /** Buffered + in-flight messages above which `writable` turns false (backpressure on the generator). */
  maxPending: number;
  /** First pause before a failed batch is sent again; doubles up to `maxRetryDelayMs`. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

export interface SendBatcherHooks {
  onSent?(count: number, elapsedMs: number): void;
  onError?(err: unknown, count: number, attempt: number): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => Date.now(),
};

/**
 * Accumulates messages and hands them to `send` in batches, one batch in flight at a time. While a
 * batch is in flight the next one fills up, so under load batches grow to `maxBatch` by themselves.
 *
 * Why one in flight: with an idempotent Kafka producer the broker deduplicates by (producer id,
 * partition, sequence). kafkajs hands out sequence numbers per send and takes them back when a send
 * fails; a second send overlapping a failed one would be given the same numbers and the broker
 * would drop it as a duplicate, i.e. silently lose it. So a failed batch is retried, unchanged and
 * before anything else, until it succeeds: nothing lost, nothing written twice.
 */
export class SendBatcher<T> {
  private buffer: T[] = [];
  private inFlight = 0;
  private lingerTimer: unknown;
  private retryTimer: unknown;
  private failed?: { batch: T[]; attempt: number };
  private writableWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private abandoned = false;

  constructor(
    private readonly send: (batch: T[]) => Promise<void>,
    private readonly options: SendBatcherOptions,
    private readonly hooks: SendBatcherHooks = {},
    private readonly timers: Timers = realTimers,
  ) {}

  /** Messages accepted but not yet acknowledged. */
  get pending(): number {
    return this.buffer.length + this.inFlight + (this.failed?.batch.length ?? 0);
  }

  get writable(): boolean {
    return this.pending < this.options.maxPending;
  }

  push(item: T): void {
    if (this.abandoned) throw new Error('the batcher was abandoned; no more messages are accepted');
    this.buffer.push(item);
    if (this.inFlight > 0 || this.retryTimer !== undefined) return;
    if (this.buffer.length >= this.options.maxBatch) this.sendNext();
    else if (this.lingerTimer === undefined) {
      this.lingerTimer = this.timers.setTimeout(() => {
        this.lingerTimer = undefined;
        this.sendNext();
      }, this.options.lingerMs);
    }
  }

  /** Resolves as soon as there is room again. */
  whenWritable(): Promise<void> {
    if (this.writable || this.abandoned) return Promise.resolve();
    return new Promise((resolve) => this.writableWaiters.push(resolve));
  }

  /** Sends what is buffered now and resolves when everything accepted so far is acknowledged. */
  flush(): Promise<void> {
    if (this.pending === 0 && !this.failed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.inFlight === 0 && this.retryTimer === undefined) this.sendNext();
    return done;
  }

  /**
   * Gives up on what has not been acknowledged (e.g. shutdown while the broker stays down) and
   * returns how many messages that is, so the caller can report the loss instead of hiding it.
   */
  abandon(): number {
    this.abandoned = true;
    this.clearTimers();
    const lost = this.buffer.length + (this.failed?.batch.length ?? 0);
    this.buffer = [];
    this.failed = undefined;
    this.wake(this.idleWaiters);
    this.wake(this.writableWaiters);
    return lost;
  }

  private clearTimers(): void {
    if (this.lingerTimer !== undefined) this.timers.clearTimeout(this.lingerTimer);
    if (this.retryTimer !== undefined) this.timers.clearTimeout(this.retryTimer);
    this.lingerTimer = undefined;
    this.retryTimer = undefined;
  }

  private wake(waiters: Array<() => void>): void {
    const list = waiters.splice(0);
    for (const w of list) w();
  }

  private sendNext(): void {
    if (this.abandoned || this.inFlight > 0) return;
    if (this.lingerTimer !== undefined) {
      this.timers.clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
    let batch: T[];
    let attempt = 1;
    if (this.failed) {
      ({ batch, attempt } = this.failed);
      this.failed = undefined;
    } else if (this.buffer.length === 0) {
      this.wake(this.idleWaiters);
      return;
    } else if (this.buffer.length <= this.options.maxBatch) {
      batch = this.buffer;
      this.buffer = [];
    } else {
      batch = this.buffer.splice(0, this.options.maxBatch);
    }
    this.inFlight = batch.length;
    const started = this.timers.now();
    this.send(batch).then(
      () => {
        this.inFlight = 0;
        if (this.abandoned) return;
        this.hooks.onSent?.(batch.length, this.timers.now() - started);
        if (this.writable) this.wake(this.writableWaiters);
        this.sendNext();
      },
      (err: unknown) => {
        this.inFlight = 0;
        if (this.abandoned) return;
        this.hooks.onError?.(err, batch.length, attempt);
        this.failed = { batch, attempt: attempt + 1 };
        const delay = backoffMs(attempt - 1, this.options.retryDelayMs, this.options.maxRetryDelayMs);
        this.retryTimer = this.timers.setTimeout(() => {
          this.retryTimer = undefined;
          this.sendNext();
        }, delay);
      },
    );
  }
}
