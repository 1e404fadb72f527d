import { BoundedMap, Newest } from './bounded';
import { sparklinePoints } from './sparkline';

describe('bounded containers', () => {
  it('keeps only the newest items, newest first', () => {
    const n = new Newest<number>(3);
    n.push(1, 2);
    n.push(3, 4, 5);
    expect(n.all()).toEqual([5, 4, 3]);
  });

  it('forgets the oldest entries of a map beyond its capacity', () => {
    const m = new BoundedMap<number, string>(2);
    m.set(1, 'a').set(2, 'b').set(1, 'a2').set(3, 'c');
    expect([...m.keys()]).toEqual([1, 3]);
  });
});

describe('sparklines', () => {
  it('spans the width and puts the largest count at the top', () => {
    expect(sparklinePoints([0, 2, 1], 60, 18, 0)).toBe('0.0,18.0 30.0,0.0 60.0,9.0');
    expect(sparklinePoints([4], 60, 18, 0)).toBe('0.0,0.0 60.0,0.0');
    expect(sparklinePoints([], 60, 18)).toBe('');
  });
});
