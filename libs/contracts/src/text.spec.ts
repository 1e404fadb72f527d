import { isUtf8 } from 'node:buffer';
import { validateSync } from 'class-validator';
import { compileCheck } from './compiled-check';
import { decodeRatingEvent } from './rating-event';
import { IsUserName, checkMovie, checkName, checkRatingKey, describeUtf8Error } from './text';

const CLAPPER = '\u{1F3AC}'; // 🎬: one code point, two UTF-16 units, four UTF-8 bytes
const FAMILY = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}'; // one glyph, five code points

describe('the name rule', () => {
  it.each([
    ['60 emoji', CLAPPER.repeat(60)],
    ['93 emoji', CLAPPER.repeat(93)],
    ['100 emoji', CLAPPER.repeat(100)],
    ['100 ASCII letters', 'x'.repeat(100)],
    ['an inner U+3000', 'Yamada\u3000Taro'],
    ['leading and trailing spaces', '  Alice  '],
    ['20 family emoji (100 code points)', FAMILY.repeat(20)],
    ['accents and CJK', 'Zoë 山田'],
    ['U+FFFD itself', 'broken \uFFFD name'],
    ['one letter after an ideographic space', '\u3000A'],
  ])('accepts %s', (_label, name) => {
    expect(checkName(name)).toBeUndefined();
  });

  it.each([
    ['101 emoji', CLAPPER.repeat(101), /^name must be 1 to 100 characters \(Unicode code points\)$/],
    ['101 ASCII letters', 'x'.repeat(101), /1 to 100 characters/],
    ['201 UTF-16 units', 'x'.repeat(201), /1 to 100 characters/],
    ['21 family emoji (105 code points)', FAMILY.repeat(21), /1 to 100 characters/],
    ['an empty string', '', /1 to 100 characters/],
    ['spaces', '   ', /^name must not be blank/],
    ['U+3000 and spaces', ' \u3000 \u3000', /^name must not be blank/],
    ['no-break and em spaces', '\u00A0\u2003\u202F\u205F', /not be blank/],
    ['zero-width characters and a BOM', '\u200B\u200D\uFEFF\u2060', /not be blank/],
    ['Hangul fillers', '\u3164\uFFA0', /not be blank/],
    ['a tab', 'Alice\tSmith', /^name must not contain control characters/],
    ['a newline', 'Alice\n', /control characters/],
    ['NUL', 'Alice\u0000', /control characters/],
    ['DEL', 'Alice\u007F', /control characters/],
    ['a C1 control', 'Alice\u0085', /control characters/],
    ['a lone high surrogate', 'Alice\uD83C', /^name must not hold a lone UTF-16 surrogate$/],
    ['a lone low surrogate', '\uDFACAlice', /lone UTF-16 surrogate/],
    ['swapped surrogates', '\uDFAC\uD83C', /lone UTF-16 surrogate/],
    ['a number', 7, /^name must be a string$/],
    ['null', null, /must be a string/],
  ])('refuses %s, naming the field', (_label, name, reason) => {
    expect(checkName(name)).toMatch(reason);
  });

  it('counts movie titles the same way, up to 300 code points', () => {
    expect(checkMovie(CLAPPER.repeat(300))).toBeUndefined();
    expect(checkMovie(CLAPPER.repeat(301))).toBe('movie must be 1 to 300 characters (Unicode code points)');
    expect(checkMovie('\u3000')).toMatch(/^movie must not be blank/);
  });

  it('gives class-validator, the compiled check and checkName one answer, with the property named', () => {
    class Params {
      @IsUserName()
      user!: string;
    }
    const check = compileCheck(Params)!;
    for (const value of ['Alice', CLAPPER.repeat(100), CLAPPER.repeat(101), ' \u3000', 'a\tb', '\uD83C', 3]) {
      const errors = validateSync(Object.assign(new Params(), { user: value }));
      const reason = checkName(value);
      expect(check({ user: value })).toBe(reason === undefined);
      expect(errors.map((e) => Object.values(e.constraints ?? {}).join())).toEqual(
        reason === undefined ? [] : [reason.replace(/^name/, 'user')],
      );
    }
  });
});

describe('UTF-8 of keys and values', () => {
  const options = { now: Date.parse('2026-11-21T10:30:00Z'), maxFutureSkewMs: 300_000, maxBytes: 4096 };
  const event = (name: string) =>
    `{"id":"7b0e4a6e-1c1a-4a44-9f0e-2d3c4b5a6978","name":"${name}","movie":"Heat (1995)","rating":8,"time":"2026-11-21T10:15:30.123Z"}`;
  // Each one would decode to U+FFFD (or several) under Buffer#toString.
  const invalid: Array<[string, number[], RegExp]> = [
    ['a lone continuation byte', [0x80], /byte 0x80 at offset \d+ cannot start a character/],
    ['0xFF', [0xff], /byte 0xff at offset \d+ cannot start/],
    ['an overlong "/" (C0 AF)', [0xc0, 0xaf], /byte 0xc0 at offset \d+ cannot start/],
    ['an overlong NUL (E0 80 80)', [0xe0, 0x80, 0x80], /overlong encoding at offset/],
    ['an overlong 4-byte form (F0 82 82 AC)', [0xf0, 0x82, 0x82, 0xac], /overlong encoding/],
    ['an encoded high surrogate (ED A0 80)', [0xed, 0xa0, 0x80], /encoded surrogate at offset/],
    ['an encoded low surrogate (ED BF BF)', [0xed, 0xbf, 0xbf], /encoded surrogate/],
    ['a code point past U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80], /past U\+10FFFF/],
    ['a truncated emoji (F0 9F 8E)', [0xf0, 0x9f, 0x8e], /should continue|truncated/],
    ['a CESU-8 emoji (surrogate pair as 6 bytes)', [0xed, 0xa0, 0xbc, 0xed, 0xbe, 0xac], /encoded surrogate/],
  ];

  it.each(invalid)('dead-letters a value with %s, saying where', (_label, bytes, where) => {
    const [before, after] = event('Al|ice').split('|');
    const value = Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
    expect(isUtf8(value)).toBe(false);
    const result = decodeRatingEvent(value, options);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^message is not valid UTF-8 \(/);
    expect(!result.ok && result.reason).toMatch(where);
  });

  it.each(invalid)('refuses a key with %s even when it would decode to the name', (_label, bytes, where) => {
    const key = Buffer.concat([Buffer.from('Al'), Buffer.from(bytes), Buffer.from('ice')]);
    const repaired = key.toString('utf8'); // what the old check compared: the U+FFFD version
    expect(checkRatingKey(key, repaired)).toMatch(/^key is not valid UTF-8 \(/);
    expect(checkRatingKey(key, repaired)).toMatch(where);
  });

  it('accepts a key equal to the name, emoji and U+3000 included, and refuses any other', () => {
    const name = `${CLAPPER.repeat(100)}\u3000x`;
    expect(checkRatingKey(Buffer.from(name), name)).toBeUndefined();
    expect(checkRatingKey(Buffer.from('Alice'), 'Alice ')).toMatch(/^key must be the user name/);
    expect(checkRatingKey(Buffer.alloc(0), 'Alice')).toMatch(/^key must be the user name/);
    expect(checkRatingKey(null, 'Alice')).toMatch(/^key must be the user name.*has none/);
  });

  it('accepts a real U+FFFD (bytes EF BF BD) in key and value: only repaired bytes are refused', () => {
    const name = 'Al\uFFFDice';
    const result = decodeRatingEvent(Buffer.from(event(name)), options);
    expect(result.ok && result.rating.name).toBe(name);
    expect(checkRatingKey(Buffer.from(name), name)).toBeUndefined();
    expect(checkRatingKey(Buffer.from('Bob'), name)).toMatch(/^key must be the user name/);
  });

  it('refuses a value with a byte order mark, naming it', () => {
    const value = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(event('Alice'))]);
    expect(isUtf8(value)).toBe(true);
    expect(decodeRatingEvent(value, options)).toEqual({
      ok: false,
      reason: 'message starts with a UTF-8 byte order mark, which JSON must not have',
    });
  });

  it('refuses a name that JSON escapes into a lone surrogate (valid UTF-8 bytes, not storable text)', () => {
    const result = decodeRatingEvent(Buffer.from(event('Al\\ud83cice')), options);
    expect(result).toEqual({ ok: false, reason: 'name must not hold a lone UTF-16 surrogate' });
    // An escaped pair is one well-formed code point.
    const pair = decodeRatingEvent(Buffer.from(event('\\ud83c\\udfac')), options);
    expect(pair.ok && pair.rating.name).toBe(CLAPPER);
  });

  it('describes valid UTF-8 as valid (it is only called after isUtf8 said no)', () => {
    expect(describeUtf8Error(Buffer.from(`a${CLAPPER}\u3000é`))).toBe('valid');
  });
});
