import { HOUR_MS, dayKey, hourRange, parseIsoHour, recentDays } from './time';

describe('the page’s hours and days', () => {
  it('reads the hour forms the API accepts, and nothing that is not the start of an hour', () => {
    const h = Date.UTC(2026, 11, 3, 14);
    for (const text of ['2026-12-03T14', '2026-12-03T14:00Z', '2026-12-03T14:00:00Z', '2026-12-03T14:00:00.000Z']) {
      expect(parseIsoHour(text)).toBe(h);
    }
    for (const text of ['2026-12-03T14:30Z', 'yesterday', '2026-02-30T10', ''])
      expect(parseIsoHour(text)).toBeUndefined();
  });

  it('names an hour in UTC as "14:00–15:00, 3 Dec"', () => {
    expect(hourRange(Date.UTC(2026, 11, 3, 14), 'utc')).toBe('14:00–15:00, 3 Dec');
    expect(hourRange(Date.UTC(2026, 11, 3, 23), 'utc')).toBe('23:00–00:00, 3 Dec');
  });

  it('lists the last days with their hours up to now, oldest first', () => {
    const now = Date.UTC(2026, 11, 3, 14, 25);
    const days = recentDays(now, 'utc', 7);
    expect(days).toHaveLength(7);
    expect(days[6].key).toBe('2026-12-03');
    expect(days[6].hours).toHaveLength(15); // 00:00 … 14:00
    expect(days[6].hours[14]).toBe(Date.UTC(2026, 11, 3, 14));
    expect(days[0].key).toBe('2026-11-27');
    expect(days[0].hours).toHaveLength(24);
    for (const day of days) for (const h of day.hours) expect(dayKey(h, 'utc')).toBe(day.key);
    expect(days[5].hours[23] + HOUR_MS).toBe(days[6].hours[0]);
  });
});
