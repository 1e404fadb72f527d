import { Rating, StatsAggregate } from '@reeltime/contracts';
import { Client } from 'cassandra-driver';
import { waitFor } from './app';

/**
 * The oracle of the fault tests: what Cassandra must hold, computed only from the events a test
 * generated (deduplicated by id), with none of the product's decoding or aggregation code, and
 * compared with whole-table reads so an extra row counts as much as a missing one.
 */

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const RATINGS = 10;

export const hourOf = (time: number): number => Math.floor(time / HOUR_MS) * HOUR_MS;
export const minuteOf = (time: number): number => Math.floor(time / MINUTE_MS) * MINUTE_MS;
export const userHourKey = (name: string, hour: number): string => `${name}|${hour}`;
export const minuteMovieKey = (minute: number, movie: string): string => `${minute}|${movie}`;

export interface Tally {
  count: number;
  sum: number;
}

/** count, sum, min, max and histogram (index i = rating i + 1) of some ratings. */
export function aggregateOf(ratings: number[]): StatsAggregate {
  const histogram = new Array<number>(RATINGS).fill(0);
  for (const r of ratings) histogram[r - 1] += 1;
  return {
    count: ratings.length,
    sum: ratings.reduce((s, r) => s + r, 0),
    min: ratings.length ? Math.min(...ratings) : null,
    max: ratings.length ? Math.max(...ratings) : null,
    histogram,
  };
}

/** The distinct events of a send sequence; a repeated id must carry the same content (it is a re-send). */
export function distinctEvents(events: Iterable<Rating>): Map<string, Rating> {
  const byId = new Map<string, Rating>();
  for (const e of events) {
    const seen = byId.get(e.id);
    if (seen && JSON.stringify(seen) !== JSON.stringify(e)) throw new Error(`test data: id ${e.id} re-sent changed`);
    byId.set(e.id, e);
  }
  return byId;
}

export interface Expected {
  records: Map<string, Rating>;
  /** Per `name|hour`. */
  stats: Map<string, StatsAggregate>;
  /** Per `minute|movie`. */
  trending: Map<string, Tally>;
  /** Per `hour|movie`. */
  hourly: Map<string, Tally>;
}

export function expectedOf(events: Iterable<Rating>): Expected {
  const records = distinctEvents(events);
  const byUserHour = new Map<string, number[]>();
  const trending = new Map<string, Tally>();
  const hourly = new Map<string, Tally>();
  for (const e of records.values()) {
    const key = userHourKey(e.name, hourOf(e.time));
    const list = byUserHour.get(key);
    if (list) list.push(e.rating);
    else byUserHour.set(key, [e.rating]);
    const tkey = minuteMovieKey(minuteOf(e.time), e.movie);
    const t = trending.get(tkey) ?? { count: 0, sum: 0 };
    trending.set(tkey, { count: t.count + 1, sum: t.sum + e.rating });
    const hkey = minuteMovieKey(hourOf(e.time), e.movie);
    const h = hourly.get(hkey) ?? { count: 0, sum: 0 };
    hourly.set(hkey, { count: h.count + 1, sum: h.sum + e.rating });
  }
  const stats = new Map([...byUserHour].map(([k, v]) => [k, aggregateOf(v)]));
  return { records, stats, trending, hourly };
}

export interface StoredRow {
  name: string;
  hour: number;
  time: number;
  movie: string;
  rating: number;
}

/** Everything the pipeline stored in the test keyspace. */
export interface Stored {
  /** `records` by id; `duplicateIds` counts ids with more than one row. */
  records: Map<string, StoredRow>;
  duplicateIds: number;
  stats: Map<string, StatsAggregate>;
  /** `movie_counts_by_minute` added up per minute and movie over its buckets and Kafka partitions. */
  trending: Map<string, Tally>;
  /** `movie_counts_by_hour` added up the same way, per hour and movie. */
  hourly: Map<string, Tally>;
}

async function scan(cql: Client, query: string, each: (row: import('cassandra-driver').types.Row) => void) {
  let pageState: string | undefined;
  do {
    const rs = await cql.execute(query, [], { prepare: true, fetchSize: 5000, pageState });
    for (const row of rs.rows) each(row);
    pageState = rs.pageState ?? undefined;
  } while (pageState);
}

export async function readWhole(cql: Client): Promise<Stored> {
  const stored: Stored = {
    records: new Map(),
    duplicateIds: 0,
    stats: new Map(),
    trending: new Map(),
    hourly: new Map(),
  };
  await scan(cql, 'SELECT name, hour, time, id, movie, rating FROM records', (row) => {
    const id = String(row.get('id'));
    if (stored.records.has(id)) stored.duplicateIds += 1;
    stored.records.set(id, {
      name: row.get('name') as string,
      hour: (row.get('hour') as Date).getTime(),
      time: (row.get('time') as Date).getTime(),
      movie: row.get('movie') as string,
      rating: row.get('rating') as number,
    });
  });
  await scan(cql, 'SELECT name, hour, count, sum, min, max, histogram FROM user_hour_stats', (row) => {
    stored.stats.set(userHourKey(row.get('name') as string, (row.get('hour') as Date).getTime()), {
      count: row.get('count') as number,
      sum: row.get('sum') as number,
      min: row.get('min') as number | null,
      max: row.get('max') as number | null,
      histogram: row.get('histogram') as number[],
    });
  });
  await scan(cql, 'SELECT minute, movie, count, sum FROM movie_counts_by_minute', (row) => {
    const key = minuteMovieKey((row.get('minute') as Date).getTime(), row.get('movie') as string);
    const t = stored.trending.get(key) ?? { count: 0, sum: 0 };
    stored.trending.set(key, {
      count: t.count + (row.get('count') as number),
      sum: t.sum + (row.get('sum') as number),
    });
  });
  await scan(cql, 'SELECT hour, movie, count, sum FROM movie_counts_by_hour', (row) => {
    const key = minuteMovieKey((row.get('hour') as Date).getTime(), row.get('movie') as string);
    const t = stored.hourly.get(key) ?? { count: 0, sum: 0 };
    stored.hourly.set(key, { count: t.count + (row.get('count') as number), sum: t.sum + (row.get('sum') as number) });
  });
  // A movie that a rewritten row left has rows adding up to nothing: no ratings, not a difference.
  for (const tallies of [stored.trending, stored.hourly]) {
    for (const [key, t] of tallies) if (t.count === 0 && t.sum === 0) tallies.delete(key);
  }
  return stored;
}

/** What differs between the expectation and the stored state, as readable lines (empty when exact). */
export function differences(expected: Expected, stored: Stored, examples = 3): string[] {
  const out: string[] = [];
  const report = (what: string, bad: string[]) => {
    if (bad.length) out.push(`${what}: ${bad.length}, e.g. ${bad.slice(0, examples).join('; ')}`);
  };
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const [id, e] of expected.records) {
    const row = stored.records.get(id);
    if (!row) missing.push(id);
    else if (
      row.name !== e.name ||
      row.hour !== hourOf(e.time) ||
      row.time !== e.time ||
      row.movie !== e.movie ||
      row.rating !== e.rating
    )
      wrong.push(`${id} stored ${JSON.stringify(row)}`);
  }
  report('records missing', missing);
  report('records with other content', wrong);
  report(
    'records never sent',
    [...stored.records.keys()].filter((id) => !expected.records.has(id)),
  );
  if (stored.duplicateIds) out.push(`records: ${stored.duplicateIds} ids stored more than once`);
  const compare = <T>(what: string, want: Map<string, T>, have: Map<string, T>) => {
    const bad: string[] = [];
    for (const key of new Set([...want.keys(), ...have.keys()])) {
      const w = JSON.stringify(want.get(key));
      const h = JSON.stringify(have.get(key));
      if (w !== h) bad.push(`${key} expected ${w} stored ${h}`);
    }
    report(what, bad);
  };
  compare('user_hour_stats differing', expected.stats, stored.stats);
  compare('trending (minute, movie) differing', expected.trending, stored.trending);
  compare('trending (hour, movie) differing', expected.hourly, stored.hourly);
  return out;
}

/**
 * Waits until Cassandra holds exactly the distinct events: the same rows in `records` and nothing
 * else, `user_hour_stats` equal to the test's own aggregate per (user, hour), and the trending counts
 * equal to its own counts per (minute, movie).
 */
export async function waitForExact(cql: Client, events: Iterable<Rating>, timeoutMs = 120_000): Promise<Stored> {
  const expected = expectedOf(events);
  let last: string[] = [];
  try {
    return await waitFor(
      'exact rows, stats and trending counts',
      async () => {
        const stored = await readWhole(cql);
        last = differences(expected, stored);
        return last.length ? undefined : stored;
      },
      timeoutMs,
      1000,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n  ${last.join('\n  ')}`);
  }
}

/**
 * After the consumers have stopped: waits `quietMs` (a couple of batch intervals, so a late write
 * of a zombie flush would have landed) and checks again that everything is still exact.
 */
export async function checkQuietExact(cql: Client, events: Iterable<Rating>, quietMs: number): Promise<Stored> {
  await new Promise((r) => setTimeout(r, quietMs));
  const stored = await readWhole(cql);
  const diff = differences(expectedOf(events), stored);
  if (diff.length) throw new Error(`not exact ${quietMs} ms after the consumers stopped:\n  ${diff.join('\n  ')}`);
  return stored;
}
