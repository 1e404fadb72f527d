import { laneOf } from './kafka-event-publisher';

describe('laneOf', () => {
  it('always sends one viewer through the same lane, so their events stay in order', () => {
    for (const name of ['Ann Lee', 'user-42', 'Zoë Ørsted']) {
      expect(new Set(Array.from({ length: 5 }, () => laneOf(name, 3))).size).toBe(1);
    }
  });

  it('spreads viewers about evenly over the lanes', () => {
    const counts = [0, 0];
    for (let i = 0; i < 10_000; i++) counts[laneOf(`user-${i}`, 2)] += 1;
    expect(Math.min(...counts)).toBeGreaterThan(4500);
  });
});
