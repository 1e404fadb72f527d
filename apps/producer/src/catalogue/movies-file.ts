import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MOVIE_MAX, checkText } from '@reeltime/contracts';
import { Catalogue, Movie } from './catalogue';
import { parseCsvLine } from './csv';

/** A line of an input file that was skipped, and why; always reported, never dropped silently. */
export interface LineIssue {
  file: string;
  line: number;
  reason: string;
}

export type MoviesLine = { ok: true; movie: Movie } | { ok: false; reason: string };

/** One line of MovieLens movies.csv: `movieId,title,genres` (genres `|`-separated; "(no genres listed)"). */
export function parseMoviesLine(line: string): MoviesLine {
  const fields = parseCsvLine(line);
  if (!fields) return { ok: false, reason: 'unbalanced quotes' };
  if (fields.length !== 3)
    return { ok: false, reason: `expected 3 fields (movieId,title,genres), got ${fields.length}` };
  const [idText, rawTitle, genreText] = fields;
  if (!/^\d+$/.test(idText)) return { ok: false, reason: `movieId "${idText}" is not a positive integer` };
  const title = rawTitle.trim();
  // The consumer's rule for movie titles: a title it would dead-letter is reported here instead.
  const bad = checkText(title, 'title', MOVIE_MAX);
  if (bad !== undefined) return { ok: false, reason: bad };
  const genres = genreText === '(no genres listed)' || genreText === '' ? [] : genreText.split('|');
  return { ok: true, movie: { id: Number(idText), title, genres } };
}

/**
 * Reads a MovieLens movies.csv into a catalogue, in file order. The header line is skipped; each bad
 * line goes to `report` with its line number.
 */
export async function loadMoviesFile(path: string, report: (issue: LineIssue) => void): Promise<Catalogue> {
  const movies: Movie[] = [];
  const seen = new Set<number>();
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const raw of lines) {
    n += 1;
    const line = n === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '' || (n === 1 && line.startsWith('movieId,'))) continue;
    const parsed = parseMoviesLine(line);
    if (!parsed.ok) {
      report({ file: path, line: n, reason: parsed.reason });
    } else if (seen.has(parsed.movie.id)) {
      report({ file: path, line: n, reason: `movieId ${parsed.movie.id} appears twice` });
    } else {
      seen.add(parsed.movie.id);
      movies.push(parsed.movie);
    }
  }
  if (movies.length === 0) throw new Error(`${path} holds no valid movies`);
  return new Catalogue(movies);
}

/**
 * The built-in catalogue, a movies.csv of real films roughly in order of popularity (the most-rated
 * films on MovieLens first), because the generator's Zipf skew follows file order; genres use MovieLens's
 * vocabulary. It sits beside this file: the build copies it next to the compiled code (package.json
 * "build", nest-cli.json "assets"), so the service, the CLI and the tests all read it from here.
 */
export const BUILT_IN_FILMS = join(__dirname, 'films.csv');

/** The catalogue a service or CLI run uses: the given movies.csv, or the built-in list of real films. */
export function loadCatalogue(moviesFile: string | undefined, report: (issue: LineIssue) => void): Promise<Catalogue> {
  return loadMoviesFile(moviesFile || BUILT_IN_FILMS, report);
}

/** The built-in films; a bad line in them is a defect of the build, so it fails the load. */
export function builtInCatalogue(): Promise<Catalogue> {
  return loadMoviesFile(BUILT_IN_FILMS, (issue) => {
    throw new Error(`${issue.file}:${issue.line}: ${issue.reason}`);
  });
}
