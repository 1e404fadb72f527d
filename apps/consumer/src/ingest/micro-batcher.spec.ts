import { MicroBatcher } from './micro-batcher';

const rating = (i: number) => ({ id: `id-${i}`, name: 'a', movie: 'm', rating: 5, time: 0 });
const src = (partition: number, offset: number) => ({ topic: 'ratings', partition, offset: String(offset) });

describe('MicroBatcher', () => {
  it('is due one interval after its oldest message, not after the newest', () => {
    const b = new MicroBatcher({ intervalMs: 30_000, maxRecords: 100, maxBytes: 1 << 20 });
    expect(b.isDue(0)).toBe(false);
    b.addRating(rating(1), src(0, 0), 1_000, 100);
    b.addRating(rating(2), src(0, 1), 20_000, 100);
    expect(b.dueIn(20_000)).toBe(11_000);
    expect(b.isDue(30_999)).toBe(false);
    expect(b.isDue(31_000)).toBe(true);
  });

  it('is due at once when it holds maxRecords messages, dead letters included', () => {
    const b = new MicroBatcher({ intervalMs: 30_000, maxRecords: 3, maxBytes: 1 << 20 });
    b.addRating(rating(1), src(0, 0), 0, 100);
    b.addRating(rating(2), src(0, 1), 0, 100);
    expect(b.isDue(0)).toBe(false);
    b.addDeadLetter({ source: src(0, 2), key: null, value: null, reason: 'bad' }, 0);
    expect(b.isFull).toBe(true);
    expect(b.isDue(0)).toBe(true);
  });

  it('is full at maxBytes of messages whatever their count, and counts again from zero after a drain', () => {
    const b = new MicroBatcher({ intervalMs: 30_000, maxRecords: 1000, maxBytes: 10_000 });
    b.addRating(rating(1), src(0, 0), 0, 6000);
    expect(b.isFull).toBe(false);
    b.addDeadLetter({ source: src(0, 1), key: Buffer.alloc(10), value: Buffer.alloc(3990), reason: 'too large' }, 0);
    expect(b.isFull).toBe(true);
    expect(b.isDue(0)).toBe(true);
    b.drain();
    b.addRating(rating(2), src(0, 2), 0, 9999);
    expect(b.isFull).toBe(false);
  });

  it('is full at maxUserHours distinct (user, hour) pairs, however few records that is', () => {
    const b = new MicroBatcher({ intervalMs: 30_000, maxRecords: 1000, maxBytes: 1 << 20, maxUserHours: 3 });
    const at = (name: string, time: number) => ({ ...rating(0), name, time });
    b.addRating(at('a', 0), src(0, 0), 0, 100);
    b.addRating(at('a', 10), src(0, 1), 0, 100);
    b.addRating(at('b', 0), src(0, 2), 0, 100);
    b.addRating(at('a', 3_600_000), src(0, 3), 0, 100);
    expect(b.isFull).toBe(true);
    b.drain();
    b.addRating(at('c', 0), src(0, 4), 0, 100);
    expect(b.isFull).toBe(false);
  });

  it('commits the offset after the highest message of each partition, poison messages included', () => {
    const b = new MicroBatcher({ intervalMs: 10, maxRecords: 100, maxBytes: 1 << 20 });
    b.addRating(rating(1), src(0, 41), 0, 100);
    b.addRating(rating(2), src(1, 7), 0, 100);
    b.addDeadLetter({ source: src(0, 42), key: null, value: null, reason: 'bad' }, 0);
    b.addRating(rating(3), src(1, 5), 0, 100);
    const batch = b.drain()!;
    expect(batch.commits.sort((x, y) => x.partition - y.partition)).toEqual([
      { topic: 'ratings', partition: 0, offset: '43' },
      { topic: 'ratings', partition: 1, offset: '8' },
    ]);
    expect(batch.ratings).toHaveLength(3);
    expect(batch.deadLetters).toHaveLength(1);
  });

  it('starts empty after a drain, and after clear()', () => {
    const b = new MicroBatcher({ intervalMs: 10, maxRecords: 100, maxBytes: 1 << 20 });
    b.addRating(rating(1), src(0, 1), 0, 100);
    b.drain();
    expect(b.size).toBe(0);
    expect(b.drain()).toBeUndefined();
    b.addRating(rating(2), src(0, 2), 0, 100);
    b.clear();
    expect(b.dueIn(100)).toBeUndefined();
  });
});
