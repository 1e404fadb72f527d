import { AppConfig } from '@reeltime/config';
import { CliUsageError, integerOption, numberOption, parseCommandLine } from '@reeltime/runtime';

export interface CliOptions {
  /** Synthetic mode: how many ratings; undefined = until Ctrl-C. Replay mode: an optional cap. */
  count?: number;
  /** Ratings per second; 0 = as fast as the broker takes them. */
  rate: number;
  users: number;
  seed: number;
  lateFraction: number;
  /** Every viewer rates one movie every intervalMs (overrides --rate). */
  intervalMs?: number;
  replay?: string;
  movies?: string;
  speed?: number;
  retime: boolean;
  json: boolean;
  /** Idempotent producers (one send in flight each); a viewer always goes through the same one. */
  lanes: number;
  help: boolean;
}

export const USAGE = `usage: npm run produce -- [options]

synthetic viewers (default):
  --count N            ratings to send (default: until Ctrl-C)
  --rate R             ratings per second; 0 or absent = as fast as possible
  --interval-ms MS     every viewer rates one movie every MS milliseconds (instead of --rate)
  --users N            viewers (default PRODUCER_USERS)
  --seed N             random seed: same seed, same viewers and ratings (default PRODUCER_SEED)
  --late-fraction F    share of ratings timed up to an hour in the past (default PRODUCER_LATE_FRACTION)
  --movies FILE        MovieLens movies.csv as the catalogue (default: built-in films)

MovieLens replay:
  --replay FILE        ratings.csv (userId,movieId,rating,timestamp)
  --movies FILE        movies.csv for the titles (default PRODUCER_MOVIES_FILE, else movies.csv beside FILE)
  --speed X            pace by the timestamps, X times faster than real time
  --retime             move the events to now, keeping the gaps (scaled by --speed, default 1)
  --count N            stop after N events; --rate R caps the rate

  --json               print the summary as JSON
  --lanes N            idempotent producers, one send in flight each (default 2)
Topic, brokers and partitions come from the usual settings (KAFKA_TOPIC_RATINGS, KAFKA_BROKERS, KAFKA_PARTITIONS).`;

const OPTIONS = {
  count: { type: 'string' },
  rate: { type: 'string' },
  'interval-ms': { type: 'string' },
  users: { type: 'string' },
  seed: { type: 'string' },
  'late-fraction': { type: 'string' },
  replay: { type: 'string' },
  movies: { type: 'string' },
  speed: { type: 'string' },
  retime: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  lanes: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Parses the CLI's arguments; defaults come from the validated settings. Throws CliUsageError naming the option. */
export function parseCliArgs(argv: string[], config: AppConfig): CliOptions {
  const { values } = parseCommandLine(argv, OPTIONS);
  const p = config.producer;
  const options: CliOptions = {
    count: integerOption('count', values.count, 1, Number.MAX_SAFE_INTEGER),
    rate: numberOption('rate', values.rate, 0, 10_000_000) ?? 0,
    intervalMs: integerOption('interval-ms', values['interval-ms'], 1, 86_400_000),
    users: integerOption('users', values.users, 1, 10_000_000) ?? p.users,
    seed: integerOption('seed', values.seed, 0, 2 ** 31 - 1) ?? p.seed,
    lateFraction: numberOption('late-fraction', values['late-fraction'], 0, 1) ?? p.lateFraction,
    replay: values.replay,
    movies: values.movies ?? p.moviesFile,
    speed: numberOption('speed', values.speed, 1e-6, 1e9),
    retime: values.retime ?? false,
    json: values.json ?? false,
    lanes: integerOption('lanes', values.lanes, 1, 16) ?? 2,
    help: values.help ?? false,
  };
  if (!options.replay && (options.speed !== undefined || options.retime)) {
    throw new CliUsageError('--speed and --retime apply to --replay only');
  }
  if (options.replay && options.intervalMs !== undefined) {
    throw new CliUsageError('--interval-ms applies to synthetic viewers, not to --replay');
  }
  return options;
}
