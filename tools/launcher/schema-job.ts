import { configFromEnvironment } from '@reeltime/config';
import { applySchema } from './schema';
import { retry } from '@reeltime/runtime';

/**
 * The Docker Compose `schema` job: applies cql/ to CASSANDRA_KEYSPACE, then exits (0 on success, so
 * the services, which wait for service_completed_successfully, start only on a complete schema).
 * Compose starts it once Cassandra's healthcheck passes; a few retries cover a node that answers cqlsh
 * but still refuses the driver for a moment.
 */
const ATTEMPTS = 10;
const PAUSE_MS = 3000;

async function main(): Promise<void> {
  const config = configFromEnvironment();
  const log = (line: string): void => void process.stderr.write(`[schema] ${line}\n`);
  log(`keyspace ${config.cassandra.keyspace} at ${config.cassandra.contactPoints.join(',')}`);
  await retry(() => applySchema(config.cassandra, log), {
    attempts: ATTEMPTS,
    delayMs: () => PAUSE_MS,
    onRetry: (err, attempt) =>
      log(`attempt ${attempt}/${ATTEMPTS} failed (${(err as Error).message}); retrying in ${PAUSE_MS / 1000}s`),
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[schema] failed: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
