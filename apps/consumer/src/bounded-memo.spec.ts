import { textBytes } from '@reeltime/cassandra';
import { BoundedMemo } from './bounded-memo';

describe('BoundedMemo', () => {
  it('computes each key once and starts over when full', () => {
    const encode = jest.fn(textBytes);
    const cache = new BoundedMemo(encode, 2);
    expect(cache.get('a')).toBe(cache.get('a'));
    cache.get('b');
    cache.get('c'); // full: starts over
    expect(cache.get('c').toString()).toBe('c');
    expect(encode).toHaveBeenCalledTimes(3);
    expect(cache.get('a').toString()).toBe('a');
    expect(encode).toHaveBeenCalledTimes(4);
  });
});
