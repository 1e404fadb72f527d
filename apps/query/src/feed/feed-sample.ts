/**
 * Keeps the latest few items seen since the last take(): the live ticker shows a sample of the newest
 * ratings, however many arrive, so the browser gets at most `size` per tick.
 */
export class LatestSample<T> {
  private items: T[] = [];

  constructor(private readonly size: number) {}

  offer(item: T): void {
    this.items.push(item);
    if (this.items.length > this.size * 2) this.items = this.items.slice(-this.size);
  }

  take(): T[] {
    const out = this.items.slice(-this.size);
    this.items = [];
    return out;
  }
}
