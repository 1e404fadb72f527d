/**
 * Events per second over the last few whole seconds (a ring of per-second counts), for the
 * dashboard's ratings/s. The caller passes the time, so it is tested with a fixed clock.
 */
export class RateMeter {
  private readonly counts: number[];
  private readonly seconds: number[];

  constructor(private readonly windowSeconds = 5) {
    this.counts = new Array<number>(windowSeconds + 1).fill(0);
    this.seconds = new Array<number>(windowSeconds + 1).fill(-1);
  }

  record(n: number, now: number): void {
    const second = Math.floor(now / 1000);
    const slot = second % this.counts.length;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot] += n;
  }

  /** Average over the last `windowSeconds` complete seconds (the current, partial second is left out). */
  perSecond(now: number): number {
    const current = Math.floor(now / 1000);
    let total = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const s = this.seconds[i];
      if (s < current && s >= current - this.windowSeconds) total += this.counts[i];
    }
    return total / this.windowSeconds;
  }
}
