import { Rating, decodeRatingEvent, encodeRatingEvent } from '@reeltime/contracts';
import { Catalogue } from '../catalogue/catalogue';
import { builtInCatalogue } from '../catalogue/movies-file';
import { RatingGenerator, GeneratorOptions } from './rating-generator';
import { ZipfSampler } from './zipf';

const NOW = Date.UTC(2026, 10, 21, 10, 15, 30, 123);
let catalogue: Catalogue;
const DECODE = { now: NOW, maxFutureSkewMs: 300_000, maxBytes: 4096 };

function generator(overrides: Partial<GeneratorOptions> = {}): RatingGenerator {
  return new RatingGenerator(catalogue, { users: 50, seed: 42, lateFraction: 0, order: 'random', ...overrides });
}

function draw(g: RatingGenerator, n: number, now = NOW) {
  return Array.from({ length: n }, () => g.next(now));
}

describe('RatingGenerator', () => {
  beforeAll(async () => {
    catalogue = await builtInCatalogue();
  });

  it('gives the same viewers and the same ratings for the same seed, each with an id of its own', () => {
    const a = generator();
    const b = generator();
    expect(a.viewers.map((v) => v.name)).toEqual(b.viewers.map((v) => v.name));
    const [fromA, fromB] = [draw(a, 2000), draw(b, 2000)];
    const content = (rs: Rating[]) => rs.map(({ name, movie, rating, time }) => ({ name, movie, rating, time }));
    expect(content(fromA)).toEqual(content(fromB));
    // Two runs with one seed (a restart, a second instance) must not reuse each other's ids.
    const ids = new Set([...fromA, ...fromB].map((r) => r.id));
    expect(ids.size).toBe(4000);
    expect(fromA.every((r) => decodeRatingEvent(encodeRatingEvent(r), DECODE).ok)).toBe(true);
  });

  it('takes its ids from the injected source', () => {
    let n = 0;
    const g = generator({ newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` });
    expect(draw(g, 3).map((r) => r.id)).toEqual([1, 2, 3].map((i) => `00000000-0000-4000-8000-00000000000${i}`));
  });

  it('gives other viewers and ratings for another seed', () => {
    const a = generator({ seed: 1 });
    const b = generator({ seed: 2 });
    expect(a.viewers.map((v) => v.name)).not.toEqual(b.viewers.map((v) => v.name));
    expect(draw(a, 10).map((r) => r.rating)).not.toEqual(draw(b, 10).map((r) => r.rating));
  });

  it('makes viewer names unique even when Faker repeats a name', () => {
    const g = generator({ users: 20_000 });
    const names = g.viewers.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    // 20,000 Faker names do collide; the repeats carry a number.
    expect(names.some((n) => / \d+$/.test(n))).toBe(true);
    expect(names.every((n) => n.length >= 1 && n.length <= 100)).toBe(true);
  });

  it('produces integer ratings from 1 to 10 that pass the contract', () => {
    const events = draw(generator(), 5000);
    for (const e of events) {
      expect(Number.isInteger(e.rating)).toBe(true);
      expect(e.rating).toBeGreaterThanOrEqual(1);
      expect(e.rating).toBeLessThanOrEqual(10);
      expect(e.time).toBe(NOW);
    }
    const used = new Set(events.map((e) => e.rating));
    expect(used.size).toBeGreaterThanOrEqual(8);
    const decoded = decodeRatingEvent(encodeRatingEvent(events[0]), { now: NOW, maxFutureSkewMs: 0, maxBytes: 4096 });
    expect(decoded).toEqual({ ok: true, rating: events[0] });
  });

  it('rates popular films (early in the catalogue) far more often than the tail', () => {
    const counts = new Map<string, number>();
    for (const e of draw(generator(), 50_000)) counts.set(e.movie, (counts.get(e.movie) ?? 0) + 1);
    const count = (i: number): number => counts.get(catalogue.movies[i].title) ?? 0;
    const top10 = Array.from({ length: 10 }, (_, i) => count(i)).reduce((a, b) => a + b, 0);
    const last100 = Array.from({ length: 100 }, (_, i) => count(catalogue.size - 1 - i)).reduce((a, b) => a + b, 0);
    expect(count(0)).toBeGreaterThan(count(50) * 10);
    expect(top10).toBeGreaterThan(last100 * 5);
  });

  it('gives each viewer a taste bias, so averages differ between users', () => {
    const byUser = new Map<string, number[]>();
    for (const e of draw(generator({ users: 20 }), 20_000)) {
      byUser.set(e.name, [...(byUser.get(e.name) ?? []), e.rating]);
    }
    const averages = [...byUser.values()].map((r) => r.reduce((a, b) => a + b, 0) / r.length);
    expect(averages).toHaveLength(20);
    // With ~1000 ratings each, sampling noise alone would keep averages within about ±0.2.
    expect(Math.max(...averages) - Math.min(...averages)).toBeGreaterThan(1.5);
  });

  it('times the late fraction within the past hour and the rest now', () => {
    const events = draw(generator({ lateFraction: 0.3 }), 10_000);
    const late = events.filter((e) => e.time < NOW);
    expect(late.length / events.length).toBeGreaterThan(0.27);
    expect(late.length / events.length).toBeLessThan(0.33);
    expect(events.every((e) => e.time <= NOW && e.time > NOW - 3_600_000)).toBe(true);
  });

  it('lets viewers take turns in round-robin order (interval mode)', () => {
    const g = generator({ users: 7, order: 'round-robin' });
    const names = draw(g, 21).map((e) => e.name);
    const once = g.viewers.map((v) => v.name);
    expect(names).toEqual([...once, ...once, ...once]);
  });
});

describe('ZipfSampler', () => {
  it('maps the unit interval onto positions with weights 1/(r+1)', () => {
    const z = new ZipfSampler(3, 1); // weights 1, 1/2, 1/3 of 11/6
    expect(z.sample(0)).toBe(0);
    expect(z.sample(0.5)).toBe(0);
    expect(z.sample(0.6)).toBe(1);
    expect(z.sample(0.9)).toBe(2);
    expect(z.sample(0.999999)).toBe(2);
  });
});
