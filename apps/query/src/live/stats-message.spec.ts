import { toHourlyStats, aggregateRatings } from '@reeltime/contracts';
import { parseStatsMessage } from './stats-message';

const hour = Date.parse('2026-11-21T10:00:00Z');
const good = toHourlyStats('Alice Smith', hour, aggregateRatings([8, 5, 10]), hour + 1000);
const encode = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('parseStatsMessage', () => {
  it('reads the hourly stats shape the consumer publishes', () => {
    expect(parseStatsMessage(encode(good))).toEqual({ ok: true, stats: good, hour });
  });

  it.each([
    ['no value', null, /no value/],
    ['bad JSON', Buffer.from('{'), /not valid JSON/],
    ['no name', encode({ ...good, name: '' }), /name/],
    ['an unaligned hour', encode({ ...good, hour: '2026-11-21T10:30:00.000Z' }), /hour/],
    ['a negative count', encode({ ...good, count: -1 }), /count/],
    ['a short histogram', encode({ ...good, histogram: [1, 2] }), /histogram/],
    ['a bad updatedAt', encode({ ...good, updatedAt: 'never' }), /updatedAt/],
  ])('rejects %s', (_label, value, reason) => {
    const result = parseStatsMessage(value);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});
