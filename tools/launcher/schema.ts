import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { migrate, MigrationReport } from '@reeltime/cassandra';
import { AppConfig } from '@reeltime/config';

/**
 * The cql/ folder of the project root (the folder with package.json), found by walking up from this
 * file: two levels up when run from source (tools/launcher), three when compiled into
 * dist/tools/launcher (the Docker image's schema job).
 */
export function findCqlDir(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'cql');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no project folder with a cql/ folder above ${from}`);
    dir = parent;
  }
}

/** Applies the migrations in cql/ to the configured keyspace (idempotent: applied files are skipped). */
export async function applySchema(
  config: AppConfig['cassandra'],
  log: (line: string) => void,
): Promise<MigrationReport> {
  const report = await migrate(config, findCqlDir(), log);
  log(
    `keyspace ${config.keyspace}: ${report.applied.length} migration(s) applied, ` +
      `${report.skipped.length} already in place`,
  );
  return report;
}
