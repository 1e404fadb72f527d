import { prefixEnd } from './stats.repository';

describe('prefixEnd', () => {
  it('raises the last code point, so every name with the prefix sorts below it', () => {
    expect(prefixEnd('Ali')).toBe('Alj');
    expect(prefixEnd('Zoë')).toBe('Zoì');
    const end = prefixEnd('A😀')!;
    expect([...end]).toEqual(['A', String.fromCodePoint(0x1f601)]);
  });

  it('skips the surrogate range and drops a highest code point', () => {
    expect(prefixEnd('a\ud7ff')).toBe('a\ue000');
    expect(prefixEnd(`ab${String.fromCodePoint(0x10ffff)}`)).toBe('ac');
    expect(prefixEnd(String.fromCodePoint(0x10ffff))).toBeUndefined();
  });

  it('agrees with UTF-8 byte order, the order Cassandra compares text in', () => {
    const bytes = (s: string) => Buffer.from(s, 'utf8');
    for (const [prefix, name] of [
      ['Al', 'Al\u{10fff0}x'],
      ['\u00ff', '\u00ff\uffff'],
      ['x\ud7ff', 'x\ud7ff\u{10ffff}'],
    ]) {
      expect(Buffer.compare(bytes(name), bytes(prefixEnd(prefix)!))).toBe(-1);
      expect(Buffer.compare(bytes(name), bytes(prefix))).toBe(1);
    }
  });
});
