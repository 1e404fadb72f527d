import { InfraError, LocalInfra } from './index';

const usage = `usage: infra <up|down|status|reset [--cache]|fetch>
  up      fetch Kafka and Cassandra (first time only), start them on 127.0.0.1, wait until they answer
  down    stop them (SIGTERM, then SIGKILL after 60 s)
  status  show whether each answers, its PID and RSS
  reset   stop them and delete their data; --cache also deletes the fetched jars
  fetch   only fetch the jars into the cache`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const infra = new LocalInfra();
  switch (command) {
    case 'up':
      await infra.up();
      return 0;
    case 'down':
      await infra.down();
      return 0;
    case 'status': {
      const status = await infra.status();
      process.stdout.write(`kafka      ${status.kafka}\ncassandra  ${status.cassandra}\n`);
      return 0;
    }
    case 'reset':
      await infra.reset(rest.includes('--cache'));
      return 0;
    case 'fetch':
      await infra.fetch();
      return 0;
    default:
      process.stderr.write(`${usage}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof InfraError ? err.message : String((err as Error).stack ?? err)}\n`);
    process.exit(1);
  },
);
