import { RepeatLimiter } from './repeat-limiter';

describe('RepeatLimiter', () => {
  it('lets a message through once per period and counts the copies held back', () => {
    let now = 0;
    const limiter = new RepeatLimiter(1000, () => now);
    expect(limiter.admit('a')).toBe(0);
    expect(limiter.admit('a')).toBeUndefined();
    expect(limiter.admit('b')).toBe(0);
    now = 999;
    expect(limiter.admit('a')).toBeUndefined();
    now = 1000;
    expect(limiter.admit('a')).toBe(2);
    expect(limiter.admit('a')).toBeUndefined();
  });

  it('forgets the oldest message beyond its bound', () => {
    const limiter = new RepeatLimiter(1000, () => 0, 2);
    limiter.admit('a');
    limiter.admit('b');
    limiter.admit('c');
    expect(limiter.admit('a')).toBe(0);
    expect(limiter.admit('c')).toBeUndefined();
  });
});
