import { CassandraSession, USERS_BY_HOUR_BUCKETS, bucketOf } from '@reeltime/cassandra';
import { testNamespace } from '../support/namespace';
import { QueryUnderTest, getJson, startQuery } from './query-app';

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
  let q: QueryUnderTest;
  const api = <T>(path: string) => getJson<T>(`${q.url}${path}`);

  beforeAll(async () => {
    await ns.migrate();
    q = await startQuery(ns);
  });
  afterAll(async () => {
    await q?.app.close();
    await ns.drop();
  });

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
});
