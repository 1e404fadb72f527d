import { LatestSample } from './feed-sample';
import { RateMeter } from '@reeltime/runtime';

describe('RateMeter', () => {
  it('averages the last complete seconds', () => {
    const meter = new RateMeter(5);
    const t0 = Date.parse('2026-11-21T10:00:00Z');
    for (let s = 0; s < 5; s++) meter.record(100, t0 + s * 1000 + 500);
    meter.record(999, t0 + 5000); // the current second is not complete yet
    expect(meter.rate(t0 + 5200)).toBe(100);
  });

  it('forgets seconds older than the window', () => {
    const meter = new RateMeter(5);
    const t0 = Date.parse('2026-11-21T10:00:00Z');
    meter.record(500, t0);
    expect(meter.rate(t0 + 1000)).toBe(100);
    expect(meter.rate(t0 + 60_000)).toBe(0);
  });
});

describe('LatestSample', () => {
  it('keeps only the newest items since the last take', () => {
    const sample = new LatestSample<number>(3);
    for (let i = 0; i < 100; i++) sample.offer(i);
    expect(sample.take()).toEqual([97, 98, 99]);
    expect(sample.take()).toEqual([]);
  });
});
