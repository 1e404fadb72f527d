/**
 * Draws catalogue positions with a Zipf-like skew: position r (0 = most popular) has weight 1/(r+1)^s.
 * Sampling is a binary search over the cumulative weights, O(log n) per draw.
 */
export class ZipfSampler {
  private readonly cumulative: Float64Array;

  constructor(
    private readonly size: number,
    exponent = 1,
  ) {
    if (size < 1) throw new Error('ZipfSampler needs at least one item');
    this.cumulative = new Float64Array(size);
    let total = 0;
    for (let r = 0; r < size; r++) {
      total += 1 / Math.pow(r + 1, exponent);
      this.cumulative[r] = total;
    }
  }

  /** `u` is uniform in [0, 1). */
  sample(u: number): number {
    const target = u * this.cumulative[this.size - 1];
    let lo = 0;
    let hi = this.size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
