import { resolve } from 'node:path';
import { loadConfig } from '@reeltime/config';
import { migrate } from '@reeltime/cassandra';

/** npm run db:migrate: applies the new files in cql/ to CASSANDRA_KEYSPACE. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const dir = resolve(__dirname, '..', '..', 'cql');
  const log = (line: string): void => void process.stderr.write(`[migrate] ${line}\n`);
  log(`keyspace ${config.cassandra.keyspace} at ${config.cassandra.contactPoints.join(',')}`);
  const report = await migrate(config.cassandra, dir, log);
  log(`${report.applied.length} applied, ${report.skipped.length} already applied`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[migrate] failed: ${(err as Error).message}\n`);
  process.exit(1);
});
