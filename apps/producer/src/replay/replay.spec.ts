import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeRatingEvent, encodeRatingEvent } from '@reeltime/contracts';
import { Catalogue } from '../catalogue/catalogue';
import { LineIssue } from '../catalogue/movies-file';
import { FakeClock, MemoryPublisher } from '../../../../test/producer/fakes';
import { parseRatingsLine, starsToRating } from './movielens-ratings';
import { MappedLine, ReplayMapper, replayEventId } from './replay-mapper';
import { ReplayTiming } from './replay-timing';
import { replayRatings } from './replayer';

const catalogue = new Catalogue([
  { id: 1, title: 'Toy Story (1995)', genres: ['Animation'] },
  { id: 11, title: 'American President, The (1995)', genres: ['Comedy'] },
]);
const NOW = Date.UTC(2026, 10, 21, 10, 0, 0);
const SKEW = 300_000;
const DECODE = { now: NOW, maxFutureSkewMs: SKEW, maxBytes: 4096 };
const ok = (m: MappedLine) => {
  if (!m.ok) throw new Error(m.reason);
  return m.rating;
};

function mapper(timing = new ReplayTiming({ retime: false, startedAt: NOW })): ReplayMapper {
  return new ReplayMapper(catalogue, timing, SKEW);
}

describe('MovieLens ratings lines', () => {
  it.each([
    [0.5, 1],
    [1, 2],
    [2.5, 5],
    [3.5, 7],
    [5, 10],
    [4.26, 9], // not a MovieLens value, but rounded and kept in bounds
  ])('maps %s stars to %s', (stars, rating) => {
    expect(starsToRating(stars)).toBe(rating);
  });

  it('parses userId,movieId,rating,timestamp', () => {
    expect(parseRatingsLine('1,11,3.5,1112486027')).toEqual({
      ok: true,
      row: { userId: 1, movieId: 11, stars: 3.5, timestamp: 1112486027 },
    });
  });

  it.each([
    ['1,11,3.5', /4 fields/],
    ['a,11,3.5,1112486027', /userId/],
    ['1,x,3.5,1112486027', /movieId/],
    ['1,11,7,1112486027', /rating/],
    ['1,11,,1112486027', /rating/],
    ['1,11,0,1112486027', /rating/],
    ['1,11,3.5,yesterday', /timestamp/],
  ])('rejects %s', (line, reason) => {
    const parsed = parseRatingsLine(line);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});

describe('ReplayMapper', () => {
  it('makes user-<id>, the title from the movies file, stars × 2 and the original time', () => {
    const mapped = mapper().map('42,11,4.5,1112486027', NOW);
    expect(mapped).toEqual({
      ok: true,
      dueAt: undefined,
      rating: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'user-42',
        movie: 'American President, The (1995)',
        rating: 9,
        time: 1112486027000,
      },
    });
  });

  it('derives each id from the row, so replaying a file twice sends the same ids (idempotent)', () => {
    const lines = ['1,1,3,100', '2,1,3,100', '1,11,3,100', '1,1,3,101', '1,1,4,100'];
    const ids = () => lines.map((line) => mapper().map(line, NOW)).map((m) => (m.ok ? m.rating.id : m.reason));
    const first = ids();
    expect(ids()).toEqual(first);
    // Another user, movie, timestamp or number of stars is another event.
    expect(new Set(first).size).toBe(lines.length);
    expect(first[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(decodeRatingEvent(encodeRatingEvent(ok(mapper().map(lines[0], NOW))), DECODE).ok).toBe(true);
  });

  it('gives a retimed replay other ids than the original times, as its events are other events', () => {
    const original = ok(mapper().map('1,1,3,100', NOW));
    const retimed = ok(mapper(new ReplayTiming({ retime: true, startedAt: NOW })).map('1,1,3,100', NOW));
    expect(retimed.time).not.toBe(original.time);
    expect(retimed.id).not.toBe(original.id);
    expect(replayEventId({ userId: 1, movieId: 1, stars: 3, timestamp: 100 }, retimed.time)).toBe(retimed.id);
  });

  it('reports a movie that is not in the movies file', () => {
    expect(mapper().map('1,999,3,1112486027', NOW)).toEqual({
      ok: false,
      reason: 'movieId 999 is not in the movies file',
    });
  });

  it('refuses an event further in the future than MAX_FUTURE_SKEW_MS', () => {
    const future = Math.floor((NOW + SKEW + 60_000) / 1000);
    const mapped = mapper().map(`1,1,3,${future}`, NOW);
    expect(mapped.ok).toBe(false);
    expect(!mapped.ok && mapped.reason).toMatch(/future/);
    expect(mapper().map(`1,1,3,${Math.floor((NOW + 60_000) / 1000)}`, NOW).ok).toBe(true);
  });
});

describe('ReplayTiming', () => {
  const t0 = 1_000_000_000_000;

  it('leaves times alone and does not pace without --speed or --retime', () => {
    const timing = new ReplayTiming({ retime: false, startedAt: NOW });
    expect(timing.place(t0)).toEqual({ time: t0 });
    expect(timing.place(t0 + 60_000)).toEqual({ time: t0 + 60_000 });
  });

  it('paces by the timestamps at the speed factor, keeping original times', () => {
    const timing = new ReplayTiming({ speed: 10, retime: false, startedAt: NOW });
    expect(timing.place(t0)).toEqual({ time: t0, dueAt: NOW });
    expect(timing.place(t0 + 60_000)).toEqual({ time: t0 + 60_000, dueAt: NOW + 6_000 });
  });

  it('retimes to now keeping the gaps (scaled by the speed)', () => {
    const timing = new ReplayTiming({ speed: 2, retime: true, startedAt: NOW });
    expect(timing.place(t0)).toEqual({ time: NOW, dueAt: NOW });
    expect(timing.place(t0 + 10_000)).toEqual({ time: NOW + 5_000, dueAt: NOW + 5_000 });
    // An older row (MovieLens files are sorted by user) is due at once and lands in the past.
    expect(timing.place(t0 + 4_000)).toEqual({ time: NOW + 2_000, dueAt: NOW + 5_000 });
  });
});

describe('replayRatings', () => {
  it('streams a ratings file into the publisher and reports every bad line with its number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ratings-'));
    const file = join(dir, 'ratings.csv');
    writeFileSync(
      file,
      [
        'userId,movieId,rating,timestamp',
        '1,1,4.0,964982703',
        '1,11,0.5,964981247',
        '1,11,five,964982224',
        '2,404,3.0,964983815',
        '3,1,5.0,964982931',
        '',
      ].join('\n'),
    );
    const publisher = new MemoryPublisher();
    const issues: LineIssue[] = [];
    const result = await replayRatings({
      file,
      mapper: mapper(),
      publisher,
      clock: new FakeClock(NOW),
      onBadLine: (i) => issues.push(i),
    });
    expect(publisher.published.map((r) => [r.name, r.movie, r.rating, r.time])).toEqual([
      ['user-1', 'Toy Story (1995)', 8, 964982703000],
      ['user-1', 'American President, The (1995)', 1, 964981247000],
      ['user-3', 'Toy Story (1995)', 10, 964982931000],
    ]);
    expect(issues.map((i) => [i.line, i.reason])).toEqual([
      [4, 'rating "five" is not from 0.5 to 5'],
      [5, 'movieId 404 is not in the movies file'],
    ]);
    expect(result).toMatchObject({ published: 3, bad: 2, percent: 100 });
  });
});
