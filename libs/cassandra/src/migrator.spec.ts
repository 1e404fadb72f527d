import { resolve } from 'node:path';
import { loadMigrations, parseCql } from './migrator';

describe('migration files', () => {
  it('splits statements, drops comments and fills placeholders', () => {
    const statements = parseCql(
      '-- a comment\nCREATE KEYSPACE ${keyspace};\nCREATE TABLE ${keyspace}.t (a int PRIMARY KEY);\n',
      {
        keyspace: 'ks',
      },
    );
    expect(statements).toEqual(['CREATE KEYSPACE ks', 'CREATE TABLE ks.t (a int PRIMARY KEY)']);
  });

  it('refuses an unknown placeholder', () => {
    expect(() => parseCql('CREATE TABLE ${nope}.t (a int PRIMARY KEY);', {})).toThrow(/nope/);
  });

  it('reads cql/ in order and every statement is idempotent', () => {
    const migrations = loadMigrations(resolve(__dirname, '..', '..', '..', 'cql'), {
      keyspace: 'reviews',
      replication: "{'class': 'SimpleStrategy', 'replication_factor': 1}",
    });
    expect(migrations.map((m) => m.version)[0]).toBe('001_keyspace');
    expect([...migrations.map((m) => m.version)].sort()).toEqual(migrations.map((m) => m.version));
    for (const statement of migrations.flatMap((m) => m.statements)) expect(statement).toMatch(/IF (NOT )?EXISTS/);
  });
});
