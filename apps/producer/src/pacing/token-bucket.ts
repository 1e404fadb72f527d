import { Pacer } from './pacer';
import { Clock } from '@reeltime/runtime';

/**
 * A token bucket: tokens accrue at `rate` per second up to a small burst (`burstSeconds` worth), and
 * each event spends one. The fractional remainder is kept, so over a minute the count matches the
 * rate exactly whenever the caller takes tokens at least once per burst window. The cap means a
 * stall (the broker pushing back) is not followed by a catch-up flood.
 */
export class TokenBucket implements Pacer {
  private tokens = 0;
  private last: number;
  private perSecond: number;

  constructor(
    rate: number,
    private readonly clock: Clock,
    private readonly burstSeconds = 0.25,
  ) {
    TokenBucket.check(rate);
    this.perSecond = rate;
    this.last = clock.now();
  }

  private static check(rate: number): void {
    if (!Number.isFinite(rate) || rate <= 0) throw new RangeError(`rate must be a positive number, got ${rate}`);
  }

  private get capacity(): number {
    return Math.max(1, this.perSecond * this.burstSeconds);
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    }
    this.last = now;
  }

  /** Changes the rate from now on; tokens earned at the old rate are kept (up to the new burst). */
  setRate(rate: number): void {
    TokenBucket.check(rate);
    this.refill();
    this.perSecond = rate;
    this.tokens = Math.min(this.tokens, this.capacity);
  }

  take(max: number): number {
    this.refill();
    const n = Math.min(max, Math.floor(this.tokens));
    this.tokens -= n;
    return n;
  }

  msUntilAvailable(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.perSecond) * 1000;
  }
}
