import { formatRoute, parseRoute } from './route';

describe('the dashboard’s address', () => {
  const hour = Date.UTC(2026, 11, 3, 14);

  it('round-trips a user and an hour, with any characters in the name', () => {
    for (const route of [{}, { hour }, { user: 'Alice Smith' }, { user: 'a/b?c#d é 🎬', hour }, { user: '   ' }]) {
      expect(parseRoute(formatRoute(route))).toEqual(route);
    }
    expect(formatRoute({ user: 'Alice Smith', hour })).toBe('#/user/Alice%20Smith?hour=2026-12-03T14:00:00.000Z');
  });

  it('reads live when the hour is missing or not an hour', () => {
    expect(parseRoute('')).toEqual({});
    expect(parseRoute('#/?hour=2026-12-03T14:30Z')).toEqual({ hour: undefined });
    expect(parseRoute('#/user/%E0%A4%A')).toEqual({ user: '%E0%A4%A' });
  });
});
