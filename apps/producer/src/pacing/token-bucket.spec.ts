import { FakeClock } from '../../../../test/producer/fakes';
import { TokenBucket } from './token-bucket';

/** Drives a bucket for `seconds` of fake time, asking every `tickMs`, and counts the grants. */
function run(bucket: TokenBucket, clock: FakeClock, seconds: number, tickMs: number): number {
  let granted = 0;
  for (let t = 0; t < seconds * 1000; t += tickMs) {
    clock.advance(tickMs);
    granted += bucket.take(1_000_000);
  }
  return granted;
}

describe('TokenBucket', () => {
  it.each([
    [20, 50],
    [5000, 3],
    [50_000, 7],
    [333.3, 13],
  ])('holds %s/s within 1%% over a minute when asked every %s ms', (rate, tick) => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(rate, clock);
    const granted = run(bucket, clock, 60, tick);
    expect(Math.abs(granted - rate * 60) / (rate * 60)).toBeLessThan(0.01);
  });

  it('grants nothing before the first token has accrued and says how long to wait', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(10, clock);
    expect(bucket.take(5)).toBe(0);
    expect(bucket.msUntilAvailable()).toBeCloseTo(100);
    clock.advance(100);
    expect(bucket.msUntilAvailable()).toBe(0);
    expect(bucket.take(5)).toBe(1);
  });

  it('caps the burst after a stall instead of flooding to catch up', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(1000, clock, 0.25);
    clock.advance(60_000);
    expect(bucket.take(1_000_000)).toBe(250);
  });

  it('never grants more than asked and keeps the rest', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(1000, clock);
    clock.advance(100);
    expect(bucket.take(30)).toBe(30);
    expect(bucket.take(1000)).toBe(70);
  });

  it('switches to a new rate from the moment it is set', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(100, clock);
    const before = run(bucket, clock, 10, 10);
    bucket.setRate(1000);
    const after = run(bucket, clock, 10, 10);
    expect(before).toBeCloseTo(1000, -1);
    expect(after).toBeGreaterThan(9900);
    expect(after).toBeLessThanOrEqual(10_000);
    expect(() => bucket.setRate(0)).toThrow(RangeError);
  });
});
