import { minutesInWindow, parseWindow, rankMovies, rowsForWindow, withSeries } from './trending';

describe('trending windows', () => {
  it.each([
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['24h', 86_400_000],
  ])('reads %s', (input, ms) => {
    expect(parseWindow(input)).toEqual({ ok: true, ms });
  });

  it.each(['', '10', '10x', '0m', '25h', '-5m', '1.5h'])('rejects %p, naming the window', (input) => {
    const result = parseWindow(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^window/);
  });

  it('covers the minutes the window overlaps, oldest first', () => {
    const now = Date.parse('2026-11-21T10:15:30Z');
    expect(minutesInWindow(now, 120_000).map((m) => new Date(m).toISOString())).toEqual([
      '2026-11-21T10:13:00.000Z',
      '2026-11-21T10:14:00.000Z',
      '2026-11-21T10:15:00.000Z',
    ]);
    expect(minutesInWindow(Date.parse('2026-11-21T10:15:59.999Z'), 60_000)).toHaveLength(1);
  });
});

describe('rankMovies', () => {
  it('adds up partitions and ranks by count, then average, then title', () => {
    const ranked = rankMovies(
      [
        { movie: 'Heat', count: 2, sum: 10 },
        { movie: 'Up', count: 1, sum: 9 },
        { movie: 'Heat', count: 1, sum: 8 },
        { movie: 'Alien', count: 3, sum: 12 },
        { movie: 'Up', count: 2, sum: 10 },
        { movie: 'Jaws', count: 1, sum: 2 },
      ],
      3,
    );
    expect(ranked).toEqual([
      { movie: 'Up', count: 3, average: 19 / 3 },
      { movie: 'Heat', count: 3, average: 6 },
      { movie: 'Alien', count: 3, average: 4 },
    ]);
  });

  it('reads per-minute rows up to 12 minutes, per-hour rows beyond: at most 100 partitions up to 24 h', () => {
    const now = Date.parse('2026-11-21T10:15:30.000Z');
    expect(rowsForWindow(now, 10 * 60_000)).toMatchObject({ span: 'minute' });
    expect(rowsForWindow(now, 10 * 60_000).starts).toHaveLength(11);
    expect(rowsForWindow(now, 13 * 60_000).span).toBe('hour');
    const day = rowsForWindow(now, 24 * 3_600_000);
    expect(day.starts).toHaveLength(25);
    expect(new Date(day.starts[0]).toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(new Date(day.starts[24]).toISOString()).toBe('2026-11-21T10:00:00.000Z');
    expect(rowsForWindow(Date.parse('2026-11-21T10:00:00.000Z'), 24 * 3_600_000).starts).toHaveLength(25);
    for (let w = 1; w <= 24 * 60; w += 1) {
      const rows = rowsForWindow(now, w * 60_000);
      expect(rows.starts.length * (rows.span === 'minute' ? 8 : 4)).toBeLessThanOrEqual(100);
    }
  });
});

describe('withSeries', () => {
  it('gives each ranked movie its count per minute of the window, oldest first', () => {
    const m0 = Date.parse('2026-12-01T10:00:00Z');
    const starts = [m0, m0 + 60_000, m0 + 120_000];
    const tallies = [
      { movie: 'Heat', count: 3, sum: 20, start: m0 },
      { movie: 'Heat', count: 2, sum: 10, start: m0 }, // another bucket of the same minute
      { movie: 'Heat', count: 4, sum: 30, start: m0 + 120_000 },
      { movie: 'Up', count: 1, sum: 9, start: m0 + 60_000 },
      { movie: 'Alien', count: 1, sum: 5, start: m0 - 60_000 }, // outside the starts: not in a series
    ];
    const ranked = rankMovies(tallies, 2);
    expect(withSeries(ranked, tallies, starts)).toEqual([
      { movie: 'Heat', count: 9, average: 60 / 9, series: [5, 0, 4] },
      { movie: 'Up', count: 1, average: 9, series: [0, 1, 0] },
    ]);
  });
});
