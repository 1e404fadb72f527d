/**
 * Remembers `compute(key)` for repeated keys, for values the hot path would otherwise rebuild per
 * event: one shared copy of a repeated string, the encoded bytes of a movie title. Bounded: when full
 * it starts over, which only costs recomputing, never a wrong value (callers never mutate what it
 * hands out).
 */
export class BoundedMemo<K, V> {
  private readonly map = new Map<K, V>();

  constructor(
    private readonly compute: (key: K) => V,
    private readonly maxEntries = 100_000,
  ) {}

  get(key: K): V {
    let value = this.map.get(key);
    if (value === undefined) {
      if (this.map.size >= this.maxEntries) this.map.clear();
      value = this.compute(key);
      this.map.set(key, value);
    }
    return value;
  }
}
