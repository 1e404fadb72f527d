import { isBlankName, sortUsers, withStats } from './people';

describe('the users of an hour', () => {
  it('knows the names that would show as nothing', () => {
    for (const name of ['', ' ', '\t\n', '\u3000', '\u00a0', '\u200b', '\ufeff ']) expect(isBlankName(name)).toBe(true);
    for (const name of ['a', ' a ', '😀', '·']) expect(isBlankName(name)).toBe(false);
  });

  it('sorts the loaded page by count or average, highest first, names breaking ties', () => {
    const page = withStats(
      ['A', 'B', 'C', 'D'],
      [
        { name: 'A', count: 2, average: 9 },
        { name: 'B', count: 5, average: 3 },
        { name: 'C', count: 5, average: null },
        { name: 'D', count: 1, average: 7 },
      ],
    );
    expect(sortUsers(page, 'name').map((u) => u.name)).toEqual(['A', 'B', 'C', 'D']);
    expect(sortUsers(page, 'count').map((u) => u.name)).toEqual(['B', 'C', 'A', 'D']);
    expect(sortUsers(page, 'average').map((u) => u.name)).toEqual(['A', 'D', 'B', 'C']);
  });

  it('gives names without stats a count of 0', () => {
    expect(withStats(['A'], undefined)).toEqual([{ name: 'A', count: 0, average: null }]);
  });
});
