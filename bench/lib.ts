import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { dropKeyspace, migrate } from '@reeltime/cassandra';
import { AppConfig, Env, configFromEnvironment } from '@reeltime/config';
import { KafkaConnection } from '@reeltime/kafka';
import { infraSettings } from '../tools/infra/settings';

/** What one benchmark prints and hands to `npm run bench`'s report. */
export interface BenchResult {
  name: string;
  /** How the figures were obtained: load shape, sizes, settings, number of runs. */
  method: string;
  /** Median figures over the runs, e.g. { 'ratings/s': 61234, 'rss MiB (peak)': 180 }. */
  figures: Record<string, number | string>;
  /** Every run's figures, so the spread can be seen. */
  runs: Array<Record<string, number | string>>;
  /** The issue's targets, to print next to the figures. */
  targets?: Record<string, string>;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Medians of each numeric figure across runs (strings are taken from the first run). */
export function medianOfRuns(runs: Array<Record<string, number | string>>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const key of Object.keys(runs[0] ?? {})) {
    const values = runs.map((r) => r[key]);
    out[key] = values.every((v) => typeof v === 'number') ? round(median(values.map(Number))) : values[0];
  }
  return out;
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** A process's resident memory in MiB, from /proc; null once it has exited. */
export function rssMiB(pid: number): number | null {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Number.isFinite(kb) ? round(kb / 1024) : null;
  } catch {
    return null;
  }
}

/** A process's CPU time so far (user + system) in seconds, from /proc; null once it has exited. */
export function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
  } catch {
    return null;
  }
}

/** Samples a process's RSS (MiB) and CPU time from /proc while a benchmark runs. */
export class ProcessSampler {
  private timer?: NodeJS.Timeout;
  private peakRss = 0;
  private readonly startCpu: number;
  private readonly startedAt = Date.now();

  constructor(private readonly pid: number) {
    this.startCpu = this.cpuSeconds();
    this.timer = setInterval(() => this.sample(), 200);
  }

  private sample(): void {
    // Once the process has exited, the figures gathered so far stand.
    this.peakRss = Math.max(this.peakRss, rssMiB(this.pid) ?? 0);
  }

  private cpuSeconds(): number {
    return cpuSeconds(this.pid) ?? 0;
  }

  stop(): { peakRssMiB: number; cpuPercent: number; cpuSeconds: number } {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    const wall = (Date.now() - this.startedAt) / 1000;
    const cpuSeconds = this.cpuSeconds() - this.startCpu;
    return { peakRssMiB: round(this.peakRss), cpuPercent: round((cpuSeconds / wall) * 100), cpuSeconds };
  }
}

/** The PID of a JVM that `npm run infra:up` started (tools/infra), if it runs here. */
export function infraPid(name: 'kafka' | 'cassandra'): number | undefined {
  try {
    const pid = Number(readFileSync(join(infraSettings().stateDir, `${name}.pid`), 'utf8').trim());
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('java') ? pid : undefined;
  } catch {
    return undefined; // no PID file, or the process is gone: Kafka or Cassandra runs elsewhere
  }
}

/**
 * A sampler of a JVM that `npm run infra:up` started, to show where the cores go next to the services;
 * undefined when Kafka or Cassandra runs elsewhere.
 */
export function infraSampler(name: 'kafka' | 'cassandra'): ProcessSampler | undefined {
  const pid = infraPid(name);
  return pid === undefined ? undefined : new ProcessSampler(pid);
}

/** The whole machine's CPU from /proc/stat: how busy all cores were between construction and stop(). */
export class MachineSampler {
  private readonly start = MachineSampler.read();
  private readonly startedAt = Date.now();

  /** Jiffies busy (everything but idle and iowait) and in total, summed over all cores. */
  private static read(): { busy: number; total: number } {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0); // guest time is already in user
    return { busy: total - fields[3] - fields[4], total };
  }

  stop(): { busyPercent: number; busyCpuSeconds: number } {
    const end = MachineSampler.read();
    const busyShare = (end.busy - this.start.busy) / (end.total - this.start.total);
    const wall = (Date.now() - this.startedAt) / 1000;
    return { busyPercent: round(busyShare * 100), busyCpuSeconds: round(busyShare * wall * cpus().length) };
  }
}

export function machine(): Record<string, string | number> {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

/** Runs a benchmark file's `run` when the file is run itself (not imported by run-all): prints, or fails with the stack. */
export function runIfMain(mod: NodeJS.Module, run: () => Promise<BenchResult>): void {
  if (require.main !== mod) return;
  run().then(printResult, (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}

export function printResult(result: BenchResult): void {
  process.stdout.write(`\n## ${result.name}\n${result.method}\n`);
  for (const [k, v] of Object.entries(result.figures)) {
    const target = result.targets?.[k];
    process.stdout.write(`  ${k.padEnd(36)} ${String(v).padStart(12)}${target ? `   (target ${target})` : ''}\n`);
  }
}

/** Settings for one benchmark run: its own keyspace, topics and groups, so runs never share data. */
export function benchNamespace(label: string, extra: Record<string, string> = {}): Record<string, string> {
  const id = `bench_${label}_${Date.now().toString(36)}`;
  return {
    CASSANDRA_KEYSPACE: id,
    KAFKA_TOPIC_RATINGS: `${id}.ratings`,
    KAFKA_TOPIC_DLQ: `${id}.dlq`,
    KAFKA_TOPIC_STATS: `${id}.stats`,
    KAFKA_CONSUMER_GROUP: `${id}.consumer`,
    KAFKA_QUERY_GROUP_PREFIX: `${id}.query`,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/**
 * A benchmark's namespace made ready for the query service: the schema migrated, the stats and ratings
 * topics created, and a connected producer to publish to them.
 */
export async function openStatsNamespace(env: Env) {
  const config = configFromEnvironment(env);
  await migrate(config.cassandra, resolve(__dirname, '..', 'cql'));
  const kafka = new KafkaConnection(config);
  await kafka.ensureTopics([config.kafka.topics.stats, config.kafka.topics.ratings]);
  const producer = kafka.createProducer();
  await producer.connect();
  return { config, kafka, producer };
}

/**
 * Removes what a benchmark made in its namespace: its ratings and stats topics (a failure is reported,
 * not thrown: the figures are already taken) and its keyspace; closes the Kafka connection.
 */
export async function removeBenchNamespace(kafka: KafkaConnection, config: AppConfig): Promise<void> {
  const admin = await kafka.admin();
  // The dead-letter topic too, which the services create at start-up; only those that exist, since one
  // unknown topic fails the whole request.
  const { ratings, stats, dlq } = config.kafka.topics;
  const existing = new Set(await admin.listTopics().catch(() => [ratings, stats]));
  await admin
    .deleteTopics({ topics: [ratings, stats, dlq].filter((topic) => existing.has(topic)) })
    .catch((err: unknown) => process.stderr.write(`could not delete the bench topics: ${String(err)}\n`));
  await kafka.onApplicationShutdown();
  await dropKeyspace(config.cassandra);
}
