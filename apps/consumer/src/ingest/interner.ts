/**
 * Hands out one shared copy of each repeated string. JSON.parse makes a fresh copy of every user name
 * and movie title in every message; a batch keeps tens of thousands of events alive through a flush, so
 * without this each copy is moved to the old generation and marked there. Bounded: when full it starts
 * over, which only costs some sharing.
 */
export class Interner {
  private readonly strings = new Map<string, string>();

  constructor(private readonly maxEntries = 100_000) {}

  intern(value: string): string {
    const shared = this.strings.get(value);
    if (shared !== undefined) return shared;
    if (this.strings.size >= this.maxEntries) this.strings.clear();
    this.strings.set(value, value);
    return value;
  }
}
