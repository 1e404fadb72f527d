import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '@reeltime/config';
import { Client } from 'cassandra-driver';
import { clientOptions } from './cassandra-options';

export interface Migration {
  version: string;
  checksum: string;
  statements: string[];
}

/** Splits a .cql file into statements: `--` comments dropped, `;` at the end of a line ends one. */
export function parseCql(text: string, vars: Record<string, string>): string[] {
  const body = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .replace(/\$\{(\w+)\}/g, (_, name: string) => {
      const value = vars[name];
      if (value === undefined) throw new Error(`unknown placeholder \${${name}}`);
      return value;
    });
  return body
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function loadMigrations(dir: string, vars: Record<string, string>): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d+_.+\.cql$/.test(f))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      return {
        version: file.replace(/\.cql$/, ''),
        checksum: createHash('sha256').update(text).digest('hex').slice(0, 16),
        statements: parseCql(text, vars),
      };
    });
}

export interface MigrationReport {
  applied: string[];
  skipped: string[];
}

/**
 * Applies the files in cql/ in order and records each in `schema_migrations`. Every statement is
 * itself idempotent (IF NOT EXISTS), so a run interrupted half-way is simply run again.
 */
export async function migrate(
  config: AppConfig['cassandra'],
  dir: string,
  log: (line: string) => void = () => undefined,
): Promise<MigrationReport> {
  const ks = config.keyspace;
  const migrations = loadMigrations(dir, { keyspace: ks, replication: config.replication });
  const client = new Client(clientOptions(config));
  await client.connect();
  try {
    const done = new Map<string, string>();
    const tables = await client.execute(
      'SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?',
      [ks, 'schema_migrations'],
      { prepare: true },
    );
    if (tables.rowLength > 0) {
      const rs = await client.execute(`SELECT version, checksum FROM ${ks}.schema_migrations`, [], { prepare: true });
      for (const row of rs.rows) done.set(String(row.get('version')), String(row.get('checksum')));
    }
    const report: MigrationReport = { applied: [], skipped: [] };
    for (const m of migrations) {
      const previous = done.get(m.version);
      if (previous !== undefined) {
        if (previous !== m.checksum) {
          log(
            `warning: ${m.version} changed after it was applied (checksum ${previous} → ${m.checksum}); add a new file instead`,
          );
        }
        report.skipped.push(m.version);
        continue;
      }
      for (const statement of m.statements) await client.execute(statement);
      await client.execute(
        `INSERT INTO ${ks}.schema_migrations (version, checksum, applied_at) VALUES (?, ?, ?)`,
        [m.version, m.checksum, new Date()],
        { prepare: true },
      );
      log(`applied ${m.version} (${m.statements.length} statements)`);
      report.applied.push(m.version);
    }
    return report;
  } finally {
    await client.shutdown();
  }
}

/** Drops a keyspace (tests clean up their own namespaces with it). */
export async function dropKeyspace(config: AppConfig['cassandra']): Promise<void> {
  const client = new Client(clientOptions(config));
  await client.connect();
  try {
    await client.execute(`DROP KEYSPACE IF EXISTS ${config.keyspace}`);
  } finally {
    await client.shutdown();
  }
}
