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

describe('parseHour refuses hours that are not on the calendar', () => {
  it.each([
    ['Feb 30', '2026-02-30T10:00:00Z', 'has day 30; February 2026 has 28 days'],
    ['Feb 29 of a non-leap year', '2026-02-29T10', 'has day 29; February 2026 has 28 days'],
    ['Feb 29 of 1900 (divisible by 100)', '1900-02-29T00:00Z', 'has day 29; February 1900 has 28 days'],
    ['April 31', '2026-04-31T10:00Z', 'has day 31; April 2026 has 30 days'],
    ['day 0', '2026-11-00T10', 'has day 00; November 2026 has 30 days'],
    ['month 13', '2026-13-01T10:00:00Z', 'has month 13; months are 01 to 12'],
    ['month 0', '2026-00-10T10', 'has month 00; months are 01 to 12'],
    ['T24:00', '2026-11-21T24:00Z', 'has hour 24; hours are 00 to 23'],
    ['T25', '2026-11-21T25', 'has hour 25; hours are 00 to 23'],
    ['minute 60', '2026-11-21T10:60Z', 'has minutes or seconds past 59'],
    ['second 60', '2026-11-21T10:00:60Z', 'has minutes or seconds past 59'],
    ['minute 30', '2026-11-21T10:30Z', 'must be the start of an hour (minutes, seconds and milliseconds zero)'],
    [
      'a millisecond',
      '2026-11-21T10:00:00.001Z',
      'must be the start of an hour (minutes, seconds and milliseconds zero)',
    ],
    ['offset +24:00', '2026-11-21T10:00+24:00', 'has offset +24:00; offsets are -23:59 to +23:59'],
    ['a half-hour offset', '2026-11-21T10:00+05:30', 'must be the start of a UTC hour (its offset is not whole hours)'],
  ])('%s', (_label, input, reason) => {
    expect(parseHour(input)).toEqual({ ok: false, reason });
  });

  it.each([
    ['Feb 29 of a leap year', '2028-02-29T23', Date.UTC(2028, 1, 29, 23)],
    ['Feb 29 of 2000 (divisible by 400)', '2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['Dec 31, 23:00', '2026-12-31T23:00Z', Date.UTC(2026, 11, 31, 23)],
    ['an offset into the previous day', '2026-11-21T01:00:00+02:00', Date.UTC(2026, 10, 20, 23)],
    ['an offset without a colon', '2026-11-21T05:00-0500', Date.UTC(2026, 10, 21, 10)],
    ['a year below 100', '0099-01-01T00', Date.parse('0099-01-01T00:00:00Z')],
  ])('accepts %s', (_label, input, hour) => {
    expect(parseHour(input)).toEqual({ ok: true, hour });
  });
});
