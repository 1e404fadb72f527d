/**
 * A scalable Bloom filter over strings: "definitely not seen" or "maybe seen". The stats cache uses
 * it to know, without a read, that an event is new; only "maybe" answers (about 1 in 100 new events,
 * plus true duplicates) cost a point read in Cassandra. About 10 bits per key instead of a full key set.
 */
/** The two hashes of the key last hashed (see BloomFilter.hash). */
let h1 = 0;
let h2 = 0;

export class BloomFilter {
  private readonly layers: Array<{ bits: Uint32Array; size: number; hashes: number; capacity: number; count: number }> =
    [];

  constructor(
    private readonly initialCapacity = 256,
    private readonly falsePositiveRate = 0.01,
  ) {
    this.grow();
  }

  private grow(): void {
    const capacity = this.initialCapacity * 2 ** this.layers.length;
    // Each new layer gets a tighter rate so the compound rate stays near the target.
    const p = this.falsePositiveRate / 2 ** (this.layers.length + 1);
    const size = Math.ceil((-capacity * Math.log(p)) / Math.LN2 ** 2);
    const hashes = Math.max(1, Math.round((size / capacity) * Math.LN2));
    this.layers.push({ bits: new Uint32Array(Math.ceil(size / 32)), size, hashes, capacity, count: 0 });
  }

  /**
   * Two independent 32-bit hashes (FNV-1a variants) of `key` and the integer `salt` (a row's time, so
   * (time, id) needs no joined string), combined by double hashing; left in h1/h2 rather than
   * returned as a pair, which would allocate an array per call on the hot path.
   */
  private static hash(key: string, salt: number): void {
    // FNV-1a's offset basis and prime (FNV_OFFSET, FNV_PRIME in libs/runtime) as literals, in the loop that
    // runs twice per event. Not fnv1a32: two hashes in one pass over the key, salted, without a call.
    let a = 0x811c9dc5;
    let b = 0x01000193;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
    }
    const lo = salt >>> 0;
    const hi = Math.floor(salt / 0x100000000) >>> 0;
    a = Math.imul(Math.imul(a ^ lo, 0x01000193) ^ hi, 0x01000193);
    b = Math.imul(Math.imul(b ^ lo, 0x5bd1e995) ^ hi, 0x5bd1e995) ^ (b >>> 15);
    h1 = a >>> 0;
    h2 = (b >>> 0) | 1;
  }

  add(key: string, salt = 0): void {
    let layer = this.layers[this.layers.length - 1];
    if (layer.count >= layer.capacity) {
      this.grow();
      layer = this.layers[this.layers.length - 1];
    }
    BloomFilter.hash(key, salt);
    for (let i = 0; i < layer.hashes; i++) {
      const index = ((h1 + Math.imul(i, h2)) >>> 0) % layer.size;
      layer.bits[index >>> 5] |= 1 << (index & 31);
    }
    layer.count += 1;
  }

  mightContain(key: string, salt = 0): boolean {
    BloomFilter.hash(key, salt);
    for (const layer of this.layers) {
      let all = true;
      for (let i = 0; i < layer.hashes && all; i++) {
        const index = ((h1 + Math.imul(i, h2)) >>> 0) % layer.size;
        all = (layer.bits[index >>> 5] & (1 << (index & 31))) !== 0;
      }
      if (all) return true;
    }
    return false;
  }

  get bytes(): number {
    return this.layers.reduce((sum, l) => sum + l.bits.byteLength, 0);
  }
}
