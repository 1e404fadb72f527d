import 'reflect-metadata';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { AppConfig, ConfigError, configFromEnvironment } from '@reeltime/config';
import { KafkaConnection } from '@reeltime/kafka';
import { loadCatalogue, loadMoviesFile, LineIssue } from './catalogue/movies-file';
import { CliOptions, USAGE, parseCliArgs } from './cli/cli-options';
import { Summary, formatSeconds, formatSummary } from './cli/progress';
import { StderrLogger } from '@reeltime/observability';
import { GeneratorOptions, RatingGenerator } from './generation/rating-generator';
import { Pacer, UnlimitedPacer } from './pacing/pacer';
import { TokenBucket } from './pacing/token-bucket';
import { RatingPump } from './production/rating-pump';
import { DEFAULT_PUBLISHING, KafkaEventPublisher } from './publishing/kafka-event-publisher';
import { ReplayMapper } from './replay/replay-mapper';
import { ReplayTiming } from './replay/replay-timing';
import { replayRatings } from './replay/replayer';
import { CliUsageError, SystemClock, runCli } from '@reeltime/runtime';

/*
 * One-off loads without the HTTP service: `npm run produce -- --count 100000 --rate 5000`, or a
 * MovieLens replay. No Nest DI here (tsx emits no decorator metadata): the pure generator and the
 * publisher are built by hand over a KafkaConnection. Progress goes to stderr, the summary to stdout.
 */

const MAX_REPORTED_BAD_LINES = 1000;
const clock = new SystemClock();

function pacerFor(rate: number): Pacer {
  return rate > 0 ? new TokenBucket(rate, clock) : new UnlimitedPacer();
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

function moviesFor(options: CliOptions): string {
  if (options.movies) return options.movies;
  const beside = join(dirname(options.replay!), 'movies.csv');
  if (existsSync(beside)) return beside;
  throw new CliUsageError('--replay needs the titles: give --movies FILE (or put movies.csv beside the ratings file)');
}

async function synthetic(
  options: CliOptions,
  config: AppConfig,
  publisher: KafkaEventPublisher,
  signal: AbortSignal,
): Promise<Pick<Summary, 'generated' | 'badLines'>> {
  const report = (i: LineIssue): void => say(`${i.file}:${i.line}: skipped: ${i.reason}`);
  const generatorOptions: GeneratorOptions = {
    users: options.users,
    seed: options.seed,
    lateFraction: options.lateFraction,
    order: options.intervalMs ? 'round-robin' : 'random',
  };
  const rate = options.intervalMs ? (options.users * 1000) / options.intervalMs : options.rate;
  const catalogue = await loadCatalogue(options.movies, report);
  const generator = new RatingGenerator(catalogue, generatorOptions);
  const pump = new RatingPump(generator, pacerFor(rate), publisher, clock, { limit: options.count });
  say(
    `producing ${options.count ?? 'unbounded'} ratings from ${options.users} viewers over ${catalogue.size} films ` +
      `at ${rate > 0 ? `${rate} ratings/s` : 'full speed'} to ${config.kafka.topics.ratings} (seed ${options.seed})`,
  );
  const started = clock.now();
  const progress = setInterval(() => {
    const { sent, pending } = publisher.stats();
    const seconds = (clock.now() - started) / 1000;
    const perSecond = sent / Math.max(0.001, seconds);
    const eta = options.count ? (options.count - sent) / Math.max(1, perSecond) : undefined;
    say(
      `sent ${sent}${options.count ? `/${options.count}` : ''} (${pending} pending), ${Math.round(perSecond)} ratings/s` +
        (eta !== undefined ? `, ETA ${formatSeconds(eta)}` : ''),
    );
  }, 1000);
  const onAbort = (): void => void pump.stop();
  signal.addEventListener('abort', onAbort);
  try {
    await pump.start();
  } finally {
    clearInterval(progress);
    signal.removeEventListener('abort', onAbort);
  }
  return { generated: pump.generated, badLines: 0 };
}

async function replay(
  options: CliOptions,
  config: AppConfig,
  publisher: KafkaEventPublisher,
  signal: AbortSignal,
): Promise<Pick<Summary, 'generated' | 'badLines'>> {
  const file = options.replay!;
  const moviesFile = moviesFor(options);
  let reported = 0;
  const report = (issue: LineIssue): void => {
    reported += 1;
    if (reported <= MAX_REPORTED_BAD_LINES) say(`${issue.file}:${issue.line}: skipped: ${issue.reason}`);
    else if (reported === MAX_REPORTED_BAD_LINES + 1) say(`more bad lines: only counted from now on`);
  };
  const catalogue = await loadMoviesFile(moviesFile, report);
  const startedAt = clock.now();
  const timing = new ReplayTiming({ speed: options.speed, retime: options.retime, startedAt });
  const mapper = new ReplayMapper(catalogue, timing, config.batch.maxFutureSkewMs);
  say(
    `replaying ${file} with ${catalogue.size} titles from ${moviesFile}` +
      `${options.speed ? ` at ${options.speed}x` : ''}${options.retime ? ', retimed to now' : ', original times'}` +
      ` to ${config.kafka.topics.ratings}`,
  );
  const result = await replayRatings({
    file,
    mapper,
    publisher,
    clock,
    pacer: options.rate > 0 ? pacerFor(options.rate) : undefined,
    limit: options.count,
    signal,
    onBadLine: report,
    onProgress: (p) =>
      say(
        `line ${p.lines} (${p.percent.toFixed(1)}%), ${p.published} published, ${p.bad} bad, ` +
          `${Math.round(p.linesPerSecond)} lines/s, ${publisher.stats().sent} acknowledged, ETA ${formatSeconds(p.etaSeconds)}`,
      ),
  });
  return { generated: result.published, badLines: result.bad };
}

/** Ctrl-C or SIGTERM ends the run between two events; what was handed over is still flushed. */
function stopOnSignals(): AbortSignal {
  const aborter = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    say(`${signal}: stopping, flushing what is pending`);
    aborter.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return aborter.signal;
}

async function main(): Promise<number> {
  Logger.overrideLogger(new StderrLogger());
  const config = configFromEnvironment();
  const options = parseCliArgs(process.argv.slice(2), config);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const kafka = new KafkaConnection(config);
  const publisher = new KafkaEventPublisher(kafka, config, undefined, { ...DEFAULT_PUBLISHING, lanes: options.lanes });
  const signal = stopOnSignals();

  await publisher.connect();
  const started = clock.now();
  const cpuBefore = process.cpuUsage();
  const run = options.replay
    ? await replay(options, config, publisher, signal)
    : await synthetic(options, config, publisher, signal);
  await publisher.flush();
  const seconds = (clock.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const lost = await publisher.close(30_000);
  await kafka.onApplicationShutdown();

  const { sent, errors } = publisher.stats();
  const summary: Summary = {
    mode: options.replay ? 'replay' : 'synthetic',
    topic: config.kafka.topics.ratings,
    ...run,
    sent,
    errors,
    lost,
    seconds,
    ratingsPerSecond: sent / Math.max(0.001, seconds),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${options.json ? JSON.stringify(summary) : formatSummary(summary)}\n`);
  return lost > 0 ? 1 : 0;
}

runCli('produce', USAGE, main, [ConfigError]);
