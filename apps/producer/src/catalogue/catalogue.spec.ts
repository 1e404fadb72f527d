import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalogue } from './catalogue';
import { parseCsvLine } from './csv';
import { LineIssue, builtInCatalogue, loadMoviesFile, parseMoviesLine } from './movies-file';

describe('parseCsvLine', () => {
  it('keeps commas inside quoted fields', () => {
    expect(parseCsvLine('11,"American President, The (1995)",Comedy|Drama|Romance')).toEqual([
      '11',
      'American President, The (1995)',
      'Comedy|Drama|Romance',
    ]);
  });

  it('unescapes doubled quotes and keeps empty fields', () => {
    expect(parseCsvLine('1,"Say ""Hello"", World (2001)",')).toEqual(['1', 'Say "Hello", World (2001)', '']);
    expect(parseCsvLine('a,,c')).toEqual(['a', '', 'c']);
  });

  it('rejects an unterminated quote or junk after a closing quote', () => {
    expect(parseCsvLine('1,"Heat (1995),Action')).toBeUndefined();
    expect(parseCsvLine('1,"Heat"x,Action')).toBeUndefined();
  });
});

describe('parseMoviesLine', () => {
  it('reads id, title and genres', () => {
    expect(parseMoviesLine('6,Heat (1995),Action|Crime|Thriller')).toEqual({
      ok: true,
      movie: { id: 6, title: 'Heat (1995)', genres: ['Action', 'Crime', 'Thriller'] },
    });
  });

  it('treats "(no genres listed)" as no genres', () => {
    const parsed = parseMoviesLine("209171,Women of Devil's Island (1962),(no genres listed)");
    expect(parsed.ok && parsed.movie.genres).toEqual([]);
  });

  it.each([
    ['x,Heat (1995),Action', /movieId/],
    ['6,Heat (1995)', /3 fields/],
    ['6,,Action', /title/],
    ['6,"Heat (1995),Action', /quotes/],
  ])('rejects %s', (line, reason) => {
    const parsed = parseMoviesLine(line);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});

describe('loadMoviesFile', () => {
  it('loads a movies.csv in file order and reports each bad line with its number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'movies-'));
    const file = join(dir, 'movies.csv');
    writeFileSync(
      file,
      [
        'movieId,title,genres',
        '1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy',
        '11,"American President, The (1995)",Comedy|Drama|Romance',
        'oops,Not a movie,Drama',
        '6,Heat (1995),Action|Crime|Thriller',
        '',
      ].join('\n'),
    );
    const issues: LineIssue[] = [];
    const catalogue = await loadMoviesFile(file, (i) => issues.push(i));
    expect(catalogue.movies.map((m) => m.title)).toEqual([
      'Toy Story (1995)',
      'American President, The (1995)',
      'Heat (1995)',
    ]);
    expect(catalogue.get(11)?.genres).toEqual(['Comedy', 'Drama', 'Romance']);
    expect(issues).toEqual([{ file, line: 4, reason: expect.stringMatching(/movieId "oops"/) }]);
  });
});

describe('the built-in catalogue', () => {
  let catalogue: Catalogue;
  beforeAll(async () => {
    catalogue = await builtInCatalogue();
  });

  it('holds at least 500 distinct real films titled "Title (year)"', () => {
    expect(catalogue.size).toBeGreaterThanOrEqual(500);
    expect(new Set(catalogue.movies.map((m) => m.title)).size).toBe(catalogue.size);
    for (const movie of catalogue.movies) {
      const year = Number(/ \((\d{4})\)$/.exec(movie.title)?.[1]);
      expect(year).toBeGreaterThanOrEqual(1895);
      expect(year).toBeLessThanOrEqual(2026);
      expect(movie.genres.length).toBeGreaterThan(0);
    }
  });

  it('has the films a user expects, with their years', () => {
    const titles = new Set(catalogue.movies.map((m) => m.title));
    for (const t of ['Heat (1995)', 'The Godfather (1972)', 'Casablanca (1942)', 'Parasite (2019)', 'Alien (1979)']) {
      expect(titles).toContain(t);
    }
  });
});
