import { randomUUID } from 'node:crypto';
import { BloomFilter } from './bloom-filter';

describe('BloomFilter', () => {
  it('never forgets a key it was given, even after growing', () => {
    const f = new BloomFilter(64);
    const keys = Array.from({ length: 5000 }, () => randomUUID());
    keys.forEach((k) => f.add(k));
    expect(keys.every((k) => f.mightContain(k))).toBe(true);
  });

  it('keeps false positives near the target rate', () => {
    const f = new BloomFilter(256, 0.01);
    for (let i = 0; i < 20_000; i++) f.add(`in-${i}`);
    let fp = 0;
    for (let i = 0; i < 20_000; i++) if (f.mightContain(`out-${i}`)) fp += 1;
    expect(fp / 20_000).toBeLessThan(0.02);
  });

  it('uses about a dozen bits per key', () => {
    const f = new BloomFilter(1024);
    for (let i = 0; i < 1024; i++) f.add(`k${i}`);
    expect(f.bytes).toBeLessThan(1024 * 2);
  });
});
