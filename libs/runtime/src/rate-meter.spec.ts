import { RateMeter } from './rate-meter';

describe('RateMeter', () => {
  it('averages the last whole seconds and forgets older ones', () => {
    const meter = new RateMeter(5);
    const t0 = 1_000_000;
    for (let s = 0; s < 10; s++) meter.record(100, t0 + s * 1000 + 10);
    expect(meter.rate(t0 + 10_000)).toBe(100);
    expect(meter.rate(t0 + 12_500)).toBe(60); // seconds 7, 8, 9 remain in the 5 s window
    expect(meter.rate(t0 + 60_000)).toBe(0);
  });
});
