import { Rating } from '@reeltime/contracts';
import { UnlimitedPacer } from '../pacing/pacer';
import { TokenBucket } from '../pacing/token-bucket';
import { FakeClock, MemoryPublisher } from '../../../../test/producer/fakes';
import { RatingPump, RatingSource } from './rating-pump';

class CountingSource implements RatingSource {
  n = 0;
  next(now: number): Rating {
    this.n += 1;
    return { id: `id-${this.n}`, name: 'Ann', movie: 'Heat (1995)', rating: 7, time: now };
  }
}

describe('RatingPump', () => {
  it('stops after the limit', async () => {
    const publisher = new MemoryPublisher();
    const pump = new RatingPump(new CountingSource(), new UnlimitedPacer(), publisher, new FakeClock(), {
      limit: 2500,
      chunk: 1000,
    });
    await pump.start();
    expect(publisher.published).toHaveLength(2500);
    expect(pump.generated).toBe(2500);
    expect(pump.running).toBe(false);
  });

  it('waits while the publisher pushes back instead of buffering', async () => {
    const publisher = new MemoryPublisher(100);
    const pump = new RatingPump(new CountingSource(), new UnlimitedPacer(), publisher, new FakeClock(), {
      limit: 500,
      chunk: 10,
    });
    const done = pump.start();
    await new Promise((r) => setTimeout(r, 20));
    expect(publisher.published).toHaveLength(100);
    publisher.release(1000);
    await done;
    expect(publisher.published).toHaveLength(500);
  });

  it('follows the pacer and ends promptly on stop()', async () => {
    const clock = new FakeClock();
    const publisher = new MemoryPublisher();
    const pump = new RatingPump(new CountingSource(), new TokenBucket(1000, clock), publisher, clock);
    const done = pump.start();
    clock.advance(50);
    await new Promise((r) => setTimeout(r, 20));
    expect(publisher.published).toHaveLength(50);
    await pump.stop();
    await done;
    expect(pump.running).toBe(false);
    expect(publisher.published.every((r) => r.time === clock.now())).toBe(true);
  });
});
