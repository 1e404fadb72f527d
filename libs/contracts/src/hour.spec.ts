import { hourStart, parseHour } from './hour';

describe('hours', () => {
  it('buckets by event time truncated to the UTC hour', () => {
    expect(new Date(hourStart(Date.parse('2026-11-21T10:59:59.999Z'))).toISOString()).toBe('2026-11-21T10:00:00.000Z');
    expect(new Date(hourStart(Date.parse('2026-11-21T11:00:00.000Z'))).toISOString()).toBe('2026-11-21T11:00:00.000Z');
  });

  it.each([
    '2026-11-21T10:00:00Z',
    '2026-11-21T10:00Z',
    '2026-11-21T10',
    '2026-11-21T10:00:00.000Z',
    '2026-11-21T12:00:00+02:00',
  ])('accepts %s', (input) => {
    const parsed = parseHour(input);
    expect(parsed).toEqual({ ok: true, hour: Date.parse('2026-11-21T10:00:00Z') });
  });

  it.each(['2026-11-21T10:30:00Z', '2026-11-21T10:00:01Z', 'yesterday', '2026-11-21', '2026-13-01T10'])(
    'rejects %s',
    (input) => {
      expect(parseHour(input).ok).toBe(false);
    },
  );
});
