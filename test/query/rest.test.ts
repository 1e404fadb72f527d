import { HOUR_MS, MINUTE_MS, aggregateRatings, toHourlyStats } from '@reeltime/contracts';
import { CassandraSession } from '@reeltime/cassandra';
import { testNamespace } from '../support/namespace';
import { PipelineFixture } from './fixtures';
import { getJson, queryForSuite } from './query-app';

const H = Date.parse('2026-11-20T10:00:00Z');
const rating = PipelineFixture.rating;

describe('query REST API against real Cassandra', () => {
  const ns = testNamespace('queryrest');
  const q = queryForSuite(ns);
  // Answers are checked field by field; this loose shape is all the assertions need.
  type Answer = Record<string, unknown> & {
    movies: Array<{ movie: string; series?: number[] }>;
    hours: Array<{ hour: string; count: number; average: number }>;
    buckets?: string[];
    pageState?: string;
  };
  const api = (path: string) => getJson<Answer>(`${q.url}${path}`);
  const user = (name: string) => `/api/users/${encodeURIComponent(name)}`;

  it('answers the average of one user-hour exactly, as AVG over the records rows as a float', async () => {
    const name = 'Alice Smith';
    const ratings = [8, 5, 10, 7].map((r, i) => rating(name, `Movie ${i}`, r, H + i * 60_000));
    await q.fixture.commit(ratings);
    await q.fixture.writeRatings([rating(name, 'Other hour', 1, H + HOUR_MS)]);

    const { status, body } = await api(`${user(name)}/hours/2026-11-20T10:00:00Z/average`);
    expect(status).toBe(200);
    const rows = await q.app
      .get(CassandraSession)
      .execute('SELECT rating FROM records WHERE name = ? AND hour = ?', [name, new Date(H)]);
    const values = rows.map((r) => r.get('rating') as number);
    expect(body).toEqual({
      name,
      hour: '2026-11-20T10:00:00.000Z',
      average: values.reduce((a, b) => a + b, 0) / values.length,
      count: 4,
    });
    expect(body.average).toBe(7.5); // the seed's cqlsh AVG over ints would say 7
  });

  it('accepts every ISO-8601 form of the hour and a URL-encoded name', async () => {
    const name = "Zoë D'Arcy / Ünal & co?";
    await q.fixture.commit([rating(name, 'Heat (1995)', 9, H + 1000), rating(name, 'Up (2009)', 6, H + 2000)]);
    for (const hour of ['2026-11-20T10:00:00Z', '2026-11-20T10:00Z', '2026-11-20T10', '2026-11-20T12:00:00+02:00']) {
      const { status, body } = await api(`${user(name)}/hours/${encodeURIComponent(hour)}/average`);
      expect(status).toBe(200);
      expect(body).toEqual({ name, hour: '2026-11-20T10:00:00.000Z', average: 7.5, count: 2 });
    }
  });

  it('answers average null and count 0 for an hour without ratings', async () => {
    expect((await api(`${user('Nobody')}/hours/2026-11-20T10/average`)).body).toEqual({
      name: 'Nobody',
      hour: '2026-11-20T10:00:00.000Z',
      average: null,
      count: 0,
    });
  });

  it('lists the movies of a user-hour oldest first and pages through them with pageState', async () => {
    const name = 'Paging Pat';
    // Written newest first, so the order of the answer comes from the table, not from the writes.
    const ratings = Array.from({ length: 7 }, (_, i) =>
      rating(name, `Film ${i}`, (i % 10) + 1, H + i * 1000),
    ).reverse();
    await q.fixture.commit(ratings);

    const all = await api(`${user(name)}/hours/2026-11-20T10/movies`);
    expect(all.status).toBe(200);
    expect(all.body.movies).toEqual(
      Array.from({ length: 7 }, (_, i) => ({
        movie: `Film ${i}`,
        rating: (i % 10) + 1,
        time: new Date(H + i * 1000).toISOString(),
      })),
    );
    expect(all.body.pageState).toBeUndefined();

    const seen: string[] = [];
    let pageState: string | undefined;
    let pages = 0;
    do {
      const qs = `limit=3${pageState ? `&pageState=${encodeURIComponent(pageState)}` : ''}`;
      const page = await api(`${user(name)}/hours/2026-11-20T10/movies?${qs}`);
      expect(page.status).toBe(200);
      expect(page.body.movies.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.movies.map((m) => m.movie));
      pageState = page.body.pageState;
      pages += 1;
    } while (pageState && pages < 10);
    expect(seen).toEqual(all.body.movies.map((m) => m.movie));
    expect(pages).toBe(3);
  });

  it('answers the hourly stats shape, and a count-0 shape for an hour without ratings', async () => {
    const name = 'Stats Sam';
    const values = [1, 2, 2, 10, 7];
    const [expected] = await q.fixture.commit(values.map((r, i) => rating(name, `M${i}`, r, H + i)));
    const { body } = await api(`${user(name)}/hours/2026-11-20T10/stats`);
    expect(body).toEqual(expected);
    expect(body).toMatchObject({
      count: 5,
      sum: 22,
      average: 4.4,
      min: 1,
      max: 10,
      histogram: [1, 2, 0, 0, 0, 0, 1, 0, 0, 1],
    });

    const empty = (await api(`${user(name)}/hours/2026-11-20T09/stats`)).body;
    expect(empty).toMatchObject({
      ...toHourlyStats(name, H - HOUR_MS, aggregateRatings([]), 0),
      updatedAt: expect.any(String),
    });
  });

  it('answers a range of hours oldest first, only the hours in the range', async () => {
    const name = 'Range Rita';
    const hours = [-30, -2, -1, 0, 1].map((d) => H + d * HOUR_MS);
    await q.fixture.commit(hours.map((h, i) => rating(name, `M${i}`, i + 1, h + 5000)));
    const { status, body } = await api(`${user(name)}/hours?from=2026-11-20T08:00Z&to=2026-11-20T10:00Z`);
    expect(status).toBe(200);
    expect(body.name).toBe(name);
    expect(body.hours.map((s) => [s.hour, s.count, s.average])).toEqual([
      ['2026-11-20T08:00:00.000Z', 1, 2],
      ['2026-11-20T09:00:00.000Z', 1, 3],
      ['2026-11-20T10:00:00.000Z', 1, 4],
    ]);
    const week = await api(`${user(name)}/hours?from=2026-11-13T11:00Z&to=2026-11-20T10:00Z`); // 168 hours
    expect(week.status).toBe(200);
    expect(week.body.hours).toHaveLength(4);
  });

  it('lists the users who rated in an hour, across all buckets, sorted', async () => {
    const hour = Date.parse('2026-11-19T05:00:00Z');
    const names = Array.from({ length: 40 }, (_, i) => `picker-${String(i).padStart(2, '0')}`);
    await q.fixture.writeRatings(names.map((n) => rating(n, 'Heat (1995)', 5, hour + 10)));
    const { body } = await api('/api/hours/2026-11-19T05:00:00Z/users');
    expect(body).toEqual({ hour: new Date(hour).toISOString(), count: 40, users: names });
  });

  it('lists an hour’s users with their count and average when asked (withStats)', async () => {
    const hour = Date.parse('2026-11-19T07:00:00Z');
    const given: Record<string, number[]> = { 'ws-ann': [2, 9, 10], 'ws-bob': [5], 'ws-cat': [1, 1, 4, 8] };
    await q.fixture.commit(
      Object.entries(given).flatMap(([n, values]) => values.map((v, i) => rating(n, `Film ${i}`, v, hour + 1000 * i))),
    );
    const figures = (n: string) => ({
      name: n,
      count: given[n].length,
      average: given[n].reduce((a, b) => a + b, 0) / given[n].length,
    });
    // Pages are sorted within themselves (names come from several buckets); together they list everyone.
    const first = await api(`/api/hours/${new Date(hour).toISOString()}/users?withStats=true&limit=2`);
    expect(first.status).toBe(200);
    const rest = await api(
      `/api/hours/${new Date(hour).toISOString()}/users?withStats=true&limit=2&pageState=${encodeURIComponent(first.body.pageState ?? '')}`,
    );
    const pages = [first.body, rest.body] as unknown as Array<{ users: string[]; stats: unknown[] }>;
    for (const page of pages) expect(page.stats).toEqual(page.users.map(figures));
    expect(pages.flatMap((p) => p.users).sort()).toEqual(Object.keys(given));
    // Without it, the answer is as before.
    expect((await api(`/api/hours/${new Date(hour).toISOString()}/users`)).body.stats).toBeUndefined();
    const tooMany = await api(`/api/hours/${new Date(hour).toISOString()}/users?withStats=true&limit=101`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/^limit must be at most 100 with withStats=true/);
    const bad = await api(`/api/hours/${new Date(hour).toISOString()}/users?withStats=yes`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/withStats must be true or false/);
  });

  it('ranks trending movies by ratings in the window, with their averages', async () => {
    const now = Date.now();
    const r = (movie: string, value: number, agoMs: number) =>
      rating(`t-${movie}-${agoMs}-${value}`, movie, value, now - agoMs);
    await q.fixture.writeRatings([
      r('Heat (1995)', 8, 0),
      r('Heat (1995)', 6, MINUTE_MS),
      r('Heat (1995)', 10, 2 * MINUTE_MS),
      r('Up (2009)', 9, 0),
      r('Up (2009)', 7, 3 * MINUTE_MS),
      r('Alien (1979)', 4, 5 * MINUTE_MS),
      // Outside 10 minutes, inside an hour.
      r('Jaws (1975)', 5, 20 * MINUTE_MS),
      r('Jaws (1975)', 5, 21 * MINUTE_MS),
      r('Jaws (1975)', 5, 22 * MINUTE_MS),
      r('Jaws (1975)', 5, 23 * MINUTE_MS),
    ]);
    // Each movie's count per minute (or hour) of the answer's buckets, from what this test wrote.
    const written: Array<[string, number]> = [
      ['Heat (1995)', 0],
      ['Heat (1995)', MINUTE_MS],
      ['Heat (1995)', 2 * MINUTE_MS],
      ['Up (2009)', 0],
      ['Up (2009)', 3 * MINUTE_MS],
      ['Alien (1979)', 5 * MINUTE_MS],
      ...[20, 21, 22, 23].map((m): [string, number] => ['Jaws (1975)', m * MINUTE_MS]),
    ];
    const seriesOf = (movie: string, buckets: string[], unit: number) =>
      buckets.map(
        (b) =>
          written.filter(([m, ago]) => m === movie && Math.floor((now - ago) / unit) * unit === Date.parse(b)).length,
      );
    const ten = await api('/api/movies/trending?window=10m');
    expect(ten.status).toBe(200);
    expect(ten.body.window).toBe('10m');
    expect(ten.body.span).toBe('minute');
    // The minute of the answer and the ten before it (the window rounded out to whole minutes).
    const minutes = ten.body.buckets ?? [];
    expect(minutes.length).toBeGreaterThanOrEqual(10);
    expect(minutes.length).toBeLessThanOrEqual(11);
    expect(Date.parse(minutes[minutes.length - 1])).toBe(Math.floor(now / MINUTE_MS) * MINUTE_MS);
    expect(ten.body.movies).toEqual(
      [
        { movie: 'Heat (1995)', count: 3, average: 8 },
        { movie: 'Up (2009)', count: 2, average: 8 },
        { movie: 'Alien (1979)', count: 1, average: 4 },
      ].map((m) => ({ ...m, series: seriesOf(m.movie, minutes, MINUTE_MS) })),
    );
    expect((ten.body.movies[0].series ?? []).reduce((a, b) => a + b, 0)).toBe(3);
    const hour = await api('/api/movies/trending?window=1h&limit=2');
    expect(hour.body.span).toBe('hour');
    expect(hour.body.movies).toEqual(
      [
        { movie: 'Jaws (1975)', count: 4, average: 5 },
        { movie: 'Heat (1995)', count: 3, average: 8 },
      ].map((m) => ({ ...m, series: seriesOf(m.movie, hour.body.buckets ?? [], 3_600_000) })),
    );
  });

  it.each([
    [
      'an hour that is not the start of an hour',
      '/api/users/Alice/hours/2026-11-20T10:30:00Z/average',
      /^hour must be the start of an hour/,
    ],
    ['an hour that is not a date', '/api/users/Alice/hours/yesterday/stats', /^hour must be an ISO-8601 hour/],
    ['an unaligned hour for the users list', '/api/hours/2026-11-20T10:00:01Z/users', /^hour /],
    ['a blank name', '/api/users/%20%20/hours/2026-11-20T10/average', /^name must not be blank/],
    ['a name of U+3000 and spaces', '/api/users/%20%E3%80%80%20/hours/2026-11-20T10/stats', /^name must not be blank/],
    ['a name with a tab', '/api/users/Al%09ice/hours/2026-11-20T10/stats', /^name must not contain control/],
    ['February 30', '/api/users/Alice/hours/2026-02-30T10:00:00Z/stats', /^hour has day 30; February 2026 has 28/],
    ['T24:00', '/api/users/Alice/hours/2026-11-20T24:00Z/average', /^hour has hour 24/],
    ['month 13', '/api/hours/2026-13-01T10/users', /^hour has month 13/],
    ['from on Feb 29 of 2026', '/api/users/Alice/hours?from=2026-02-29T10Z&to=2026-03-01T10Z', /^from has day 29/],
    ['a name over 100 characters', `/api/users/${'x'.repeat(101)}/hours/2026-11-20T10/stats`, /^name /],
    ['limit 0', '/api/users/Alice/hours/2026-11-20T10/movies?limit=0', /limit must be from 1 to 1000/],
    ['limit 1001', '/api/users/Alice/hours/2026-11-20T10/movies?limit=1001', /limit must be from 1 to 1000/],
    [
      'a limit that is not a number',
      '/api/users/Alice/hours/2026-11-20T10/movies?limit=ten',
      /limit must be an integer/,
    ],
    [
      'a malformed pageState',
      '/api/users/Alice/hours/2026-11-20T10/movies?pageState=%21%21',
      /pageState is not a valid page state/,
    ],
    [
      'a pageState Cassandra did not issue',
      '/api/users/Alice/hours/2026-11-20T10/movies?pageState=AAAAAAAA',
      /pageState is not a valid page state/,
    ],
    ['from after to', '/api/users/Alice/hours?from=2026-11-20T10Z&to=2026-11-20T09Z', /to must not be before from/],
    [
      'a range over 168 hours',
      '/api/users/Alice/hours?from=2026-11-13T10:00Z&to=2026-11-20T10:00Z',
      /to must be at most 168 hours/,
    ],
    ['a missing from', '/api/users/Alice/hours?to=2026-11-20T10:00Z', /^from /],
    [
      'an unaligned to',
      '/api/users/Alice/hours?from=2026-11-20T09:00Z&to=2026-11-20T10:05Z',
      /^to must be the start of an hour/,
    ],
    ['a window without a unit', '/api/movies/trending?window=10', /^window must be a number followed by s, m or h/],
    ['a window over 24h', '/api/movies/trending?window=25h', /^window must be at most 24h/],
    ['a trending limit of 0', '/api/movies/trending?limit=0', /limit must be from 1 to 100/],
  ])('rejects %s with a 400 naming the field', async (_label, path, message) => {
    const { status, body } = await api(path);
    expect(status).toBe(400);
    expect(body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(message) });
  });

  it('serves OpenAPI at /docs listing every route', async () => {
    const res = await fetch(`${q.url}/docs-json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/users/{name}/hours/{hour}/average',
        '/api/users/{name}/hours/{hour}/movies',
        '/api/users/{name}/hours/{hour}/stats',
        '/api/users/{name}/hours',
        '/api/hours/{hour}/users',
        '/api/movies/trending',
      ]),
    );
  });

  it('documents each rule the API enforces and every status a route answers, with its body', async () => {
    type Param = { name: string; in: string; required?: boolean; schema: Record<string, unknown> };
    type Op = { parameters: Param[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
    const doc = (await (await fetch(`${q.url}/docs-json`)).json()) as { paths: Record<string, { get: Op }> };
    const param = (path: string, name: string) => doc.paths[path].get.parameters.find((p) => p.name === name)!;
    const hourPattern = new RegExp(param('/api/hours/{hour}/users', 'hour').schema.pattern as string);
    expect(['2026-11-21T10:00:00Z', '2026-11-21T10:00Z', '2026-11-21T10'].every((h) => hourPattern.test(h))).toBe(true);
    expect(hourPattern.test('10:00 yesterday')).toBe(false);
    expect(param('/api/users/{name}/hours', 'to')).toMatchObject({ in: 'query', required: true });
    expect(param('/api/users/{name}/hours', 'from')).toMatchObject({ in: 'query', required: true });
    expect(param('/api/movies/trending', 'limit').schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    expect(param('/api/hours/{hour}/users', 'limit').schema).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 1000,
    });
    expect(param('/api/users/{name}/hours/{hour}/movies', 'limit').schema).toMatchObject({
      type: 'integer',
      maximum: 1000,
    });
    expect(param('/api/users/{name}/hours/{hour}/stats', 'name').schema).toMatchObject({
      minLength: 1,
      maxLength: 100,
    });
    for (const [path, { get }] of Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/'))) {
      const expected =
        path === '/api/system' ? ['200', '400', '401', '403', '429'] : ['200', '400', '401', '403', '429', '503'];
      expect([path, Object.keys(get.responses).sort()]).toEqual([path, expected]);
      for (const [status, response] of Object.entries(get.responses)) {
        expect([path, status, response.content?.['application/json']?.schema]).toEqual([
          path,
          status,
          expect.anything(),
        ]);
      }
    }
  });

  it('answers a request that is not valid HTTP with the API error shape, not a bare 400', async () => {
    const { connect } = await import('node:net');
    const { port } = new URL(q.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write('GET /api/system HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \u0001\r\n\r\n'),
      );
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(raw).toMatch(/\r\nContent-Type: application\/json; charset=utf-8\r\n/);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.any(String),
    });
  });
});
