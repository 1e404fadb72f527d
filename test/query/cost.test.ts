import { randomUUID } from 'node:crypto';
import { hourStart } from '@reeltime/contracts';
import { Socket, io } from 'socket.io-client';
import { CassandraSession, USERS_BY_HOUR_BUCKETS, bucketOf } from '@reeltime/cassandra';
import { testNamespace } from '../support/namespace';
import { PipelineFixture } from './fixtures';
import { QueryUnderTest, getJson, queryForSuite, startQuery } from './query-app';
import { sleep } from '@reeltime/runtime';

/** One sample of a Prometheus series on /metrics (no labels asked for). */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  if (!match) throw new Error(`${name} is not on /metrics`);
  return Number(match[1]);
}

const H = Date.parse('2026-11-18T07:00:00Z');
const HOUR = '2026-11-18T07:00:00Z';

interface UsersAnswer {
  hour: string;
  count: number;
  users: string[];
  pageState?: string;
  message?: string;
}

describe('query service: bounded cost per request', () => {
  const ns = testNamespace('querycost');
  const q = queryForSuite(ns);
  const api = <T>(path: string) => getJson<T>(`${q.url}${path}`);

  describe('the users of an hour', () => {
    // 230 names over all 16 buckets; 37 of them start with "Ali" (some cased or accented differently).
    const others = Array.from({ length: 190 }, (_, i) => `user-${String(i).padStart(3, '0')}`);
    const alis = Array.from({ length: 37 }, (_, i) => `Ali ${String(i).padStart(2, '0')}`);
    const nearMisses = ['ali lower', 'Al', 'Alí accent'];
    const everyone = [...others, ...alis, ...nearMisses];

    beforeAll(async () => {
      const session = q.app.get(CassandraSession);
      await Promise.all(
        everyone.map((name) =>
          session.execute('INSERT INTO users_by_hour (hour, bucket, name) VALUES (?, ?, ?)', [
            new Date(H),
            bucketOf(name, USERS_BY_HOUR_BUCKETS),
            name,
          ]),
        ),
      );
    });

    async function allPages(query: string, limit: number): Promise<UsersAnswer[]> {
      const pages: UsersAnswer[] = [];
      let pageState: string | undefined;
      do {
        const state = pageState ? `&pageState=${pageState}` : '';
        const { status, body } = await api<UsersAnswer>(`/api/hours/${HOUR}/users?limit=${limit}${query}${state}`);
        expect(status).toBe(200);
        pages.push(body);
        pageState = body.pageState;
        expect(pages.length).toBeLessThan(100);
      } while (pageState);
      return pages;
    }

    it('pages through every user of the hour with limit and an opaque page state, each exactly once', async () => {
      const pages = await allPages('', 37);
      const seen = pages.flatMap((p) => p.users);
      expect(seen.length).toBe(everyone.length);
      expect([...seen].sort()).toEqual([...everyone].sort());
      for (const page of pages) {
        expect(page.users.length).toBeLessThanOrEqual(37);
        expect(page.count).toBe(page.users.length);
        expect(page.hour).toBe(new Date(H).toISOString());
        expect(page.users).toEqual([...page.users].sort());
      }
      expect(pages.slice(0, -1).every((p) => p.users.length === 37 && typeof p.pageState === 'string')).toBe(true);
      expect(pages.at(-1)?.pageState).toBeUndefined();
      expect(pages.length).toBe(Math.ceil(everyone.length / 37));
    });

    it('filters by a case-sensitive name prefix, across buckets and pages', async () => {
      const pages = await allPages('&prefix=Ali', 10);
      expect(pages.flatMap((p) => p.users).sort()).toEqual([...alis].sort());
      const one = await api<UsersAnswer>(`/api/hours/${HOUR}/users?prefix=${encodeURIComponent('Alí')}`);
      expect(one.body.users).toEqual(['Alí accent']);
      const none = await api<UsersAnswer>(`/api/hours/${HOUR}/users?prefix=zz`);
      expect(none.body).toEqual({ hour: new Date(H).toISOString(), count: 0, users: [] });
    });

    it('answers the whole hour in one page by default, as before', async () => {
      const { body } = await api<UsersAnswer>(`/api/hours/${HOUR}/users`);
      expect(body.users).toEqual([...everyone].sort());
      expect(body.count).toBe(everyone.length);
      expect(body.pageState).toBeUndefined();
    });

    it.each([
      ['limit 0', 'limit=0', /limit/],
      ['limit 1001', 'limit=1001', /limit/],
      ['a fractional limit', 'limit=2.5', /limit/],
      ['an empty prefix', 'prefix=', /prefix/],
      ['a page state that is not base64url', 'pageState=%2F%2F', /pageState/],
      ['a page state Cassandra did not issue', 'pageState=AAAAAAAA', /pageState/],
    ])('refuses %s with a 400 naming the field', async (_label, query, field) => {
      const { status, body } = await api<UsersAnswer>(`/api/hours/${HOUR}/users?${query}`);
      expect(status).toBe(400);
      expect(body.message).toMatch(field);
    });
  });

  describe('trending over long windows', () => {
    /** Single-partition reads Cassandra itself has served from a table of this keyspace (its table metrics). */
    async function partitionReads(table: string): Promise<number> {
      const [row] = await q.app
        .get(CassandraSession)
        .execute('SELECT count FROM system_views.local_read_latency WHERE keyspace_name = ? AND table_name = ?', [
          ns.config.cassandra.keyspace,
          table,
        ]);
      return Number(row?.get('count') ?? 0);
    }
    const reads = async () =>
      (await partitionReads('movie_counts_by_minute')) + (await partitionReads('movie_counts_by_hour'));

    it('answers a 24 h window from at most 100 partition reads, exactly, and caches it by window only', async () => {
      const now = Date.now();
      const ratings = Array.from({ length: 60 }, (_, i) =>
        PipelineFixture.rating(`day-${i % 9}`, `Day Film ${i % 4}`, 1 + (i % 10), now - i * 23 * 60_000 - 1000),
      );
      await q.fixture.writeRatings(ratings);
      const want = new Map<string, { count: number; sum: number }>();
      for (const r of ratings) {
        const t = want.get(r.movie) ?? { count: 0, sum: 0 };
        want.set(r.movie, { count: t.count + 1, sum: t.sum + r.rating });
      }

      const before = await reads();
      const started = performance.now();
      const { status, body } = await api<{
        from: string;
        movies: Array<{ movie: string; count: number; average: number }>;
      }>('/api/movies/trending?window=24h&limit=100');
      const ms = performance.now() - started;
      const used = (await reads()) - before;
      expect(status).toBe(200);
      process.stderr.write(`trending 24h: ${used} partition reads, ${ms.toFixed(0)} ms\n`);
      expect(used).toBeGreaterThan(0);
      expect(used).toBeLessThanOrEqual(100);
      // Every rating is inside the window (the oldest is 22 h 37 min old): the counts are exact.
      expect(Date.parse(body.from)).toBeLessThanOrEqual(now - 24 * 3_600_000);
      const got = new Map(body.movies.filter((m) => m.movie.startsWith('Day Film')).map((m) => [m.movie, m]));
      expect(got.size).toBe(4);
      for (const [movie, t] of want) expect(got.get(movie)).toMatchObject({ count: t.count, average: t.sum / t.count });

      // Another limit for the same window is a slice of the cached answer: no further read.
      const again = await reads();
      const top = await api<{ movies: unknown[] }>('/api/movies/trending?window=24h&limit=2');
      expect(top.body.movies).toEqual(body.movies.slice(0, 2));
      expect((await reads()) - again).toBe(0);
    });
  });

  describe('the answer cache', () => {
    const MIB = 1024 * 1024;
    const nsCache = testNamespace('querycache', { QUERY_CACHE_MAX_MB: '1', QUERY_CACHE_MISS_TTL_MS: '1500' });
    let c: QueryUnderTest;
    const name = 'Cache Filler';
    const CH = Date.parse('2026-11-17T03:00:00Z');

    beforeAll(async () => {
      await nsCache.migrate();
      c = await startQuery(nsCache);
      const session = c.app.get(CassandraSession);
      const title = (i: number) => `A long film title that makes each answer weigh something, part ${i}`;
      for (let from = 0; from < 500; from += 50) {
        await Promise.all(
          Array.from({ length: 50 }, (_, k) =>
            session.execute('INSERT INTO records (name, hour, time, id, movie, rating) VALUES (?, ?, ?, ?, ?, ?)', [
              name,
              new Date(CH),
              new Date(CH + from + k),
              randomUUID(),
              title(from + k),
              1 + ((from + k) % 10),
            ]),
          ),
        );
      }
    });
    afterAll(async () => {
      await c?.app.close();
      await nsCache.drop();
    });

    it('stays within QUERY_CACHE_MAX_MB however large the answers, evicting the least recently used', async () => {
      const movies = (limit: number) =>
        getJson<{ movies: unknown[] }>(
          `${c.url}/api/users/${encodeURIComponent(name)}/hours/2026-11-17T03:00:00Z/movies?limit=${limit}`,
        );
      // 150 distinct answers (the limit is part of the key) of 38–53 kB of JSON each: ~7.5 MB served.
      let served = 0;
      for (let limit = 351; limit <= 500; limit += 1) {
        const res = await fetch(
          `${c.url}/api/users/${encodeURIComponent(name)}/hours/2026-11-17T03:00:00Z/movies?limit=${limit}`,
        );
        expect(res.status).toBe(200);
        served += (await res.text()).length;
      }
      expect(served).toBeGreaterThan(7 * MIB);
      const bytes = await metric(c.url, 'reeltime_query_cache_bytes');
      expect(bytes).toBeGreaterThan(0.5 * MIB);
      expect(bytes).toBeLessThanOrEqual(MIB * (1 + 1 / 8));
      expect(await metric(c.url, 'reeltime_query_cache_entries')).toBeLessThan(30);

      // The last answer is still held (a hit); the first was evicted (a miss, read again).
      const hits = await metric(c.url, 'reeltime_query_cache_hits_total');
      const misses = await metric(c.url, 'reeltime_query_cache_misses_total');
      expect((await movies(500)).body.movies).toHaveLength(500);
      expect(await metric(c.url, 'reeltime_query_cache_hits_total')).toBe(hits + 1);
      expect(await metric(c.url, 'reeltime_query_cache_misses_total')).toBe(misses);
      expect((await movies(351)).body.movies).toHaveLength(351);
      expect(await metric(c.url, 'reeltime_query_cache_misses_total')).toBe(misses + 1);
    });

    it('keeps an answer that found nothing only briefly (QUERY_CACHE_MISS_TTL_MS), a found one until its TTL', async () => {
      const hour = '2026-11-17T05:00:00Z';
      const at = Date.parse(hour);
      const stats = (who: string) =>
        getJson<{ count: number }>(`${c.url}/api/users/${encodeURIComponent(who)}/hours/${hour}/stats`);
      await c.fixture.writeRatings([PipelineFixture.rating('Found Earlier', 'Heat (1995)', 7, at + 10)]);
      await c.fixture.writeStats('Found Earlier', at);
      expect((await stats('Found Earlier')).body.count).toBe(1);
      expect((await stats('Not Yet Seen')).body.count).toBe(0);

      // Both change in Cassandra with no stats message to announce it (as while Kafka is down).
      await c.fixture.writeRatings([
        PipelineFixture.rating('Found Earlier', 'Up (2009)', 9, at + 20),
        PipelineFixture.rating('Not Yet Seen', 'Up (2009)', 9, at + 20),
      ]);
      await c.fixture.writeStats('Found Earlier', at);
      await c.fixture.writeStats('Not Yet Seen', at);
      expect((await stats('Not Yet Seen')).body.count).toBe(0); // the miss was cached
      await new Promise((r) => setTimeout(r, 1600));
      expect((await stats('Not Yet Seen')).body.count).toBe(1); // …briefly
      expect((await stats('Found Earlier')).body.count).toBe(1); // the found answer is still the cached one
    });
  });

  describe('rate limits per client', () => {
    const WINDOW_MS = 3000;
    const nsLimit = testNamespace('queryratelimit', {
      QUERY_RATE_LIMIT: '5',
      QUERY_LIVE_RATE_LIMIT: '3',
      QUERY_RATE_WINDOW_MS: String(WINDOW_MS),
    });
    let r: QueryUnderTest;
    const sockets: Socket[] = [];

    beforeAll(async () => {
      await nsLimit.migrate();
      r = await startQuery(nsLimit); // its readiness polling spent part of a window: let it pass
      await sleep(WINDOW_MS + 200);
    });
    afterAll(async () => {
      for (const s of sockets) s.disconnect();
      await r?.app.close();
      await nsLimit.drop();
    });

    it('answers 429 with Retry-After past QUERY_RATE_LIMIT requests, cached answers and every route alike', async () => {
      const avg = `${r.url}/api/users/Rita/hours/2026-11-16T10:00:00Z/average`;
      const routes = [
        avg, // read from Cassandra, then cached
        avg, // answered from the cache, ahead of Nest
        `${r.url}/api/movies/trending?window=10m`,
        `${r.url}/api/hours/2026-11-16T10:00:00Z/users`,
        avg,
      ];
      for (const url of routes) expect((await fetch(url)).status).toBe(200);
      for (const url of [avg, `${r.url}/api/system`]) {
        const res = await fetch(url);
        expect(res.status).toBe(429);
        const retryAfter = Number(res.headers.get('retry-after'));
        expect(Number.isInteger(retryAfter)).toBe(true);
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
        const body = (await res.json()) as { statusCode: number; error: string; message: string };
        expect(body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
        expect(body.message).toMatch(/at most 5 requests per 3 s per client/);
      }
      // Health and metrics are not limited (probes and scrapers must get through).
      expect((await fetch(`${r.url}/health/live`)).status).toBe(200);
      expect((await fetch(`${r.url}/metrics`)).status).toBe(200);
      await sleep(WINDOW_MS + 200);
      expect((await fetch(avg)).status).toBe(200);
    });

    it('answers socket events past QUERY_LIVE_RATE_LIMIT with an error ack, and does not handle them', async () => {
      const socket = io(`${r.url}/live`, { transports: ['websocket'], forceNew: true });
      sockets.push(socket);
      await new Promise<void>((done, fail) => {
        socket.once('connect', () => done());
        socket.once('connect_error', fail);
      });
      const pushed: string[] = [];
      socket.on('stats', (s: { name: string }) => pushed.push(s.name));
      type Ack = { ok: boolean; error?: string; retryAfter?: number };
      const subscribe = (name: string) => socket.timeout(5000).emitWithAck('subscribe', { name }) as Promise<Ack>;
      for (const name of ['Watched 1', 'Watched 2', 'Watched 3']) expect((await subscribe(name)).ok).toBe(true);
      const limited = await subscribe('Not Joined');
      expect(limited.ok).toBe(false);
      expect(limited.error).toMatch(/at most 3 events per 3 s per client/);
      expect(limited.retryAfter).toBeGreaterThanOrEqual(1);
      expect(limited.retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);

      // The limited subscribe joined nothing: its user's update is not pushed, a watched user's is.
      const hour = hourStart(Date.now());
      const stats = (name: string) => ({
        name,
        hour: new Date(hour).toISOString(),
        count: 1,
        sum: 5,
        average: 5,
        min: 5,
        max: 5,
        histogram: [0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
        updatedAt: new Date().toISOString(),
      });
      await r.fixture.publishStats([stats('Not Joined'), stats('Watched 3')]);
      const deadline = Date.now() + 30_000;
      while (!pushed.includes('Watched 3') && Date.now() < deadline) await sleep(50);
      await sleep(500);
      expect(pushed).toEqual(['Watched 3']);

      await sleep(WINDOW_MS + 200);
      expect((await subscribe('Not Joined')).ok).toBe(true);
    });
  });
});
