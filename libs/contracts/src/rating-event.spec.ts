import { ValidateNested, validateSync } from 'class-validator';
import { compileCheck } from './compiled-check';
import { RatingEvent, decodeRatingEvent, encodeRatingEvent } from './rating-event';

const now = Date.parse('2026-11-21T10:30:00Z');
const options = { now, maxFutureSkewMs: 300_000, maxBytes: 4096 };
const good = {
  id: '7b0e4a6e-1c1a-4a44-9f0e-2d3c4b5a6978',
  name: 'Alice Smith',
  movie: 'Heat (1995)',
  rating: 8,
  time: '2026-11-21T10:15:30.123Z',
};
const decode = (value: unknown) =>
  decodeRatingEvent(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), options);

describe('rating event contract', () => {
  it('accepts the example event and normalises time to epoch ms', () => {
    expect(decode(good)).toEqual({ ok: true, rating: { ...good, time: Date.parse(good.time) } });
  });

  it('accepts a name of 100 emoji and one with an inner U+3000, as sent', () => {
    for (const name of ['\u{1F3AC}'.repeat(100), 'Yamada\u3000Taro']) {
      expect(decode({ ...good, name })).toMatchObject({ ok: true, rating: { name } });
    }
  });

  it('accepts a time on Feb 29 of a leap year and at 23:59:59', () => {
    const opts = { ...options, now: Date.parse('2028-03-01T00:00:00Z') };
    for (const time of ['2028-02-29T10:15:30Z', '2028-02-29T23:59:59.999Z']) {
      expect(decodeRatingEvent(Buffer.from(JSON.stringify({ ...good, time })), opts)).toMatchObject({
        ok: true,
        rating: { time: Date.parse(time) },
      });
    }
  });

  it('accepts a time with a numeric offset, as the same instant', () => {
    const time = '2026-11-21T11:15:30.123+01:00';
    expect(decode({ ...good, time })).toMatchObject({ ok: true, rating: { time: Date.parse(good.time) } });
  });

  it('accepts time as epoch milliseconds', () => {
    expect(decode({ ...good, time: now - 1000 })).toMatchObject({ ok: true, rating: { time: now - 1000 } });
  });

  it('round-trips through the wire form', () => {
    const rating = { ...good, time: Date.parse(good.time) };
    expect(decodeRatingEvent(encodeRatingEvent(rating), options)).toEqual({ ok: true, rating });
  });

  it.each([
    ['not JSON', '{"id":', /not valid JSON/],
    ['an array', [1, 2], /JSON object/],
    ['a bad id', { ...good, id: 'nope' }, /id must be a UUID/],
    ['an empty name', { ...good, name: '' }, /name must be 1 to 100/],
    ['a long name', { ...good, name: 'x'.repeat(101) }, /name must be 1 to 100/],
    ['a name of 101 emoji', { ...good, name: '\u{1F3AC}'.repeat(101) }, /name must be 1 to 100/],
    ['a blank name with U+3000', { ...good, name: ' \u3000 ' }, /name must not be blank/],
    ['a blank movie', { ...good, movie: '\u00A0' }, /movie must not be blank/],
    ['a movie with a newline', { ...good, movie: 'Heat\n(1995)' }, /movie must not contain control characters/],
    ['a missing movie', { ...good, movie: undefined }, /movie/],
    ['rating 0', { ...good, rating: 0 }, /rating must be from 1 to 10/],
    ['rating 11', { ...good, rating: 11 }, /rating must be from 1 to 10/],
    ['a fractional rating', { ...good, rating: 7.5 }, /rating must be an integer/],
    ['a string rating', { ...good, rating: '8' }, /rating must be an integer/],
    ['a bad time', { ...good, time: 'yesterday' }, /time must be/],
    ['a time without an offset', { ...good, time: '2026-11-21T10:15:30' }, /ending in Z or ±hh:mm/],
    [
      'a time on Feb 30',
      { ...good, time: '2026-02-30T10:15:30Z' },
      /time must be an ISO-8601 date-time string with an offset \(a real/,
    ],
    ['a time on Feb 29 of 2026', { ...good, time: '2026-02-29T10:15:30Z' }, /time must be/],
    ['a time at T24:00', { ...good, time: '2026-11-20T24:00:00Z' }, /time must be/],
    ['a time in month 13', { ...good, time: '2026-13-01T10:15:30Z' }, /time must be/],
    ['a time at minute 60', { ...good, time: '2026-11-21T09:60:00Z' }, /time must be/],
    ['a time at second 60', { ...good, time: '2026-11-21T09:59:60Z' }, /time must be/],
    ['a time too far ahead', { ...good, time: now + 301_000 }, /time is 301000 ms in the future/],
  ])('rejects %s, naming the field', (_label, value, reason) => {
    const result = decode(value);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('rejects an oversized message before parsing it', () => {
    const result = decode({ ...good, movie: 'm'.repeat(5000) });
    expect(!result.ok && result.reason).toMatch(/more than the limit of 4096/);
  });
});

describe('compiled check of the contract', () => {
  const check = compileCheck(RatingEvent)!;
  const variants: Record<string, unknown[]> = {
    id: [good.id, good.id.toUpperCase(), 'not-a-uuid', '', 42, null, undefined],
    // Surrogate pairs and variation selectors count as no extra character in class-validator's Length.
    name: [good.name, '', 'x'.repeat(100), 'x'.repeat(101), '🎬'.repeat(100), '🎬'.repeat(101), 7, null, undefined],
    movie: [
      good.movie,
      '',
      'm'.repeat(300),
      'm'.repeat(301),
      `${'m'.repeat(299)}☺\uFE0F`,
      '\uD800',
      ['Heat'],
      undefined,
    ],
    rating: [8, 1, 10, 0, 11, 7.5, '8', null, undefined],
    time: [good.time, now, -1, 1.5, 'March 5', '2026-11-21', 'not a date', null, undefined],
  };

  it('says pass exactly when validateSync finds no error, over every combination of good and bad fields', () => {
    let compared = 0;
    for (const field of Object.keys(variants)) {
      for (const value of variants[field]) {
        for (const other of Object.keys(variants)) {
          for (const otherValue of variants[other]) {
            const candidate = { ...good, [other]: otherValue, [field]: value };
            const expected = validateSync(Object.assign(new RatingEvent(), candidate)).length === 0;
            expect([candidate, check(candidate)]).toEqual([candidate, expected]);
            compared += 1;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('is not built for classes whose rules it cannot mirror', () => {
    class WithNested {
      @ValidateNested()
      child!: object;
    }
    expect(compileCheck(WithNested)).toBeUndefined();
  });
});
