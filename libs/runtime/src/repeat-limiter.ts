/**
 * Lets the same message through at most once per `periodMs`, and says how many copies it held back in
 * between. For warnings a dependency repeats on every request (a Cassandra server warning comes back in
 * each answer it applies to): logged each time, 1,600 a second of them filled 16 MB of log a minute.
 */
export class RepeatLimiter {
  private readonly seen = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly periodMs: number,
    private readonly now: () => number = Date.now,
    /** Distinct messages remembered; the oldest are forgotten beyond it. */
    private readonly maxKeys = 1000,
  ) {}

  /**
   * Undefined when the message should be held back; otherwise how many copies of it were held back
   * since it was last let through.
   */
  admit(key: string): number | undefined {
    const at = this.now();
    const last = this.seen.get(key);
    if (last && at - last.at < this.periodMs) {
      last.held += 1;
      return undefined;
    }
    this.seen.delete(key);
    if (this.seen.size >= this.maxKeys) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { at, held: 0 });
    return last?.held ?? 0;
  }
}
