import { loadConfig } from '@reeltime/config';
import { dropKeyspace } from '@reeltime/cassandra';

/** The fuzz's clean-up: drops CASSANDRA_KEYSPACE (the fuzz's own namespace, never the default one). */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (!config.cassandra.keyspace.startsWith('fuzz_')) throw new Error(`refusing to drop ${config.cassandra.keyspace}`);
  await dropKeyspace(config.cassandra);
}

main().catch((err: unknown) => {
  process.stderr.write(`[fuzz] dropping the keyspace failed: ${(err as Error).message}\n`);
  process.exit(1);
});
