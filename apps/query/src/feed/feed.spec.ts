import { LatestSample } from './feed-sample';
import { MovieRaters, RATERS_MOVIES_MAX, RATERS_PER_MOVIE } from './movie-raters';
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

describe('MovieRaters', () => {
  const t0 = Date.parse('2026-12-01T10:00:00Z');
  const rating = (name: string, movie: string, i: number) => ({
    id: `${i}`,
    name,
    movie,
    rating: 1 + (i % 10),
    time: t0 + i,
  });

  it('keeps each movie’s newest raters, newest first, bounded per movie and in movies', () => {
    const raters = new MovieRaters();
    for (let i = 0; i < 30; i++) raters.add(rating(`u${i}`, 'Heat', i));
    raters.add(rating('solo', 'Up', 99));
    const heat = raters.raters('Heat', 100);
    expect(heat).toHaveLength(RATERS_PER_MOVIE);
    expect(heat.map((r) => r.name)).toEqual(Array.from({ length: RATERS_PER_MOVIE }, (_, k) => `u${29 - k}`));
    expect(heat[0]).toEqual({ name: 'u29', rating: 10, time: new Date(t0 + 29).toISOString() });
    expect(raters.raters('Heat', 3)).toHaveLength(3);
    expect(raters.raters('Up', 20).map((r) => r.name)).toEqual(['solo']);
    expect(raters.raters('Nobody rated this', 20)).toEqual([]);
    // A late event goes in its place by time; one older than all twenty kept is not kept.
    raters.add({ ...rating('late', 'Heat', 25), time: t0 + 25 });
    raters.add({ ...rating('ancient', 'Heat', 0), time: t0 - 1000 });
    expect(raters.raters('Heat', 6).map((r) => r.name)).toEqual(['u29', 'u28', 'u27', 'u26', 'u25', 'late']); // a tie: the one seen first first
    expect(raters.raters('Heat', 20).map((r) => r.name)).not.toContain('ancient');
    for (let m = 0; m < RATERS_MOVIES_MAX; m++) raters.add(rating('x', `movie ${m}`, m));
    expect(raters.raters('Heat', 20)).toEqual([]); // the least recently rated movie went first
  });
});
