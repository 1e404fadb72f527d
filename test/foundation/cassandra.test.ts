import { INestApplication } from '@nestjs/common';
import { CassandraModule, CassandraSession, migrate } from '@reeltime/cassandra';
import { types } from 'cassandra-driver';
import { bootModule } from '../support/app';
import { CQL_DIR, testNamespace } from '../support/namespace';

describe('cassandra lib and migrations against the real server', () => {
  const ns = testNamespace('cassandra');
  let app: INestApplication;
  let session: CassandraSession;

  beforeAll(async () => {
    await ns.migrate();
    app = await bootModule([CassandraModule], ns.env);
    session = app.get(CassandraSession);
  });
  afterAll(async () => {
    await app.close();
    await ns.drop();
  });

  it('records what it applied, and a second run applies nothing', async () => {
    const report = await migrate(ns.config.cassandra, CQL_DIR);
    expect(report.applied).toEqual([]);
    expect(report.skipped.length).toBeGreaterThanOrEqual(5);
    const rows = await session.execute('SELECT version FROM schema_migrations');
    expect(rows.map((r) => String(r.get('version') as string)).sort()).toEqual(report.skipped.sort());
  });

  it('creates reviews.records exactly as the design says', async () => {
    const cols = await session.execute(
      'SELECT column_name, kind, position, type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?',
      [ns.config.cassandra.keyspace, 'records'],
    );
    const shape = Object.fromEntries(
      cols.map((c) => [c.get('column_name'), `${c.get('kind')}:${c.get('position')}:${c.get('type')}`]),
    );
    expect(shape).toEqual({
      name: 'partition_key:0:text',
      hour: 'partition_key:1:timestamp',
      time: 'clustering:0:timestamp',
      id: 'clustering:1:uuid',
      movie: 'regular:-1:text',
      rating: 'regular:-1:int',
    });
  });

  it('writes and reads rows, and answers the reference design queries', async () => {
    const hour = new Date('2026-11-21T10:00:00Z');
    const insert = 'INSERT INTO records (name, hour, time, id, movie, rating) VALUES (?, ?, ?, ?, ?, ?)';
    const rows: Array<[string, number]> = [
      ['Heat (1995)', 8],
      ['Alien (1979)', 5],
      ['Up (2009)', 10],
    ];
    for (const [i, [movie, rating]] of rows.entries()) {
      await session.execute(insert, [
        'Alice Smith',
        hour,
        new Date(hour.getTime() + i * 1000),
        types.Uuid.random(),
        movie,
        rating,
      ]);
    }
    const ks = ns.config.cassandra.keyspace;
    // The seed's own cqlsh queries, unchanged but for the keyspace name.
    const avg = await session.execute(
      `SELECT AVG(rating) FROM ${ks}.records WHERE name = 'Alice Smith' AND hour = '2026-11-21 10:00:00+0000'`,
    );
    expect(Number(avg[0].get(0))).toBe(7); // integer AVG over ints: (8+5+10)/3 = 7
    const movies = await session.execute(
      `SELECT movie FROM ${ks}.records WHERE name = 'Alice Smith' AND hour = '2026-11-21 10:00:00+0000'`,
    );
    expect(movies.map((r) => r.get('movie') as string)).toEqual(['Heat (1995)', 'Alien (1979)', 'Up (2009)']);
  });

  it('pages with an opaque page state', async () => {
    const hour = new Date('2026-11-21T11:00:00Z');
    for (let i = 0; i < 7; i++) {
      await session.execute('INSERT INTO records (name, hour, time, id, movie, rating) VALUES (?, ?, ?, ?, ?, ?)', [
        'Bob',
        hour,
        new Date(hour.getTime() + i),
        types.Uuid.random(),
        `m${i}`,
        5,
      ]);
    }
    const cql = 'SELECT movie FROM records WHERE name = ? AND hour = ?';
    const first = await session.page(cql, ['Bob', hour], 5);
    expect(first.rows).toHaveLength(5);
    expect(first.pageState).toBeDefined();
    const second = await session.page(cql, ['Bob', hour], 5, first.pageState);
    expect(second.rows.map((r) => r.get('movie') as string)).toEqual(['m5', 'm6']);
  });
});
