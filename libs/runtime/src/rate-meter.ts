/**
 * Events per second over a sliding window (default 5 s) of one-second slots: a service's "current
 * rate". Pure: the caller passes the time, so it is tested with a fixed clock.
 */
export class RateMeter {
  private readonly slots: Float64Array;
  private slotSecond = -1;

  constructor(private readonly windowSeconds = 5) {
    this.slots = new Float64Array(windowSeconds + 1);
  }

  record(count: number, now: number): void {
    this.advance(now);
    this.slots[Math.floor(now / 1000) % this.slots.length] += count;
  }

  /** Average over the last `windowSeconds` whole seconds (the second in progress is not counted). */
  rate(now: number): number {
    this.advance(now);
    const current = Math.floor(now / 1000) % this.slots.length;
    let sum = 0;
    for (let i = 0; i < this.slots.length; i++) if (i !== current) sum += this.slots[i];
    return sum / this.windowSeconds;
  }

  /** Zeroes the slots of the seconds that passed since the last call (all of them after a long gap). */
  private advance(now: number): void {
    const second = Math.floor(now / 1000);
    if (this.slotSecond < 0) this.slotSecond = second;
    for (let s = this.slotSecond + 1; s <= second && s <= this.slotSecond + this.slots.length; s++) {
      this.slots[s % this.slots.length] = 0;
    }
    if (second > this.slotSecond) this.slotSecond = second;
  }
}
