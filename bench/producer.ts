import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Env, configFromEnvironment } from '@reeltime/config';
import { KafkaConnection } from '@reeltime/kafka';
import { BenchResult, ProcessSampler, medianOfRuns, runIfMain, round } from './lib';

/**
 * Producer throughput: the produce CLI (compiled, `node dist/apps/producer/src/cli.js`, as one
 * process) sends RATINGS synthetic ratings as fast as the local broker takes them (idempotent,
 * acks=all, batched) to a fresh topic with 6 partitions. Figures per run: acknowledged ratings/s
 * (first send to last ack, from the CLI's summary), the CLI process's mean CPU and peak RSS, and
 * a check that the topic holds exactly RATINGS records. Then one paced run (--rate HOLD_RATE for
 * HOLD_SECONDS) shows how closely the token bucket holds a target rate. Run `npm run build` first.
 */
const RATINGS = Number(process.env.BENCH_RATINGS ?? 300_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const HOLD_RATE = Number(process.env.BENCH_HOLD_RATE ?? 5_000);
const HOLD_SECONDS = Number(process.env.BENCH_HOLD_SECONDS ?? 60);
const ROOT = resolve(__dirname, '..');
const CLI = resolve(ROOT, 'dist', 'apps', 'producer', 'src', 'cli.js');

interface CliSummary {
  sent: number;
  errors: number;
  lost: number;
  seconds: number;
  ratingsPerSecond: number;
  cpuSeconds: number;
  maxRssMiB: number;
}

async function produce(
  args: string[],
  env: Env,
): Promise<{ summary: CliSummary; cpuPercent: number; peakRssMiB: number }> {
  // RSS is sampled from /proc while the CLI runs; CPU comes from the CLI itself (process.cpuUsage over
  // the sending phase), because /proc can no longer be read once the process has exited.
  const child = spawn(process.execPath, [CLI, ...args, '--json'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sampler = new ProcessSampler(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const sampled = sampler.stop();
  if (code !== 0) throw new Error(`produce exited ${code}:\n${stderr.slice(-3000)}`);
  const summary = JSON.parse(stdout.trim().split('\n').pop()!) as CliSummary;
  return {
    summary,
    cpuPercent: round((summary.cpuSeconds / summary.seconds) * 100),
    peakRssMiB: round(Math.max(sampled.peakRssMiB, summary.maxRssMiB)),
  };
}

async function withTopic<T extends object>(
  run: string,
  fn: (env: Env, topic: string) => Promise<T>,
): Promise<T & { stored: number }> {
  const topic = `bench.producer.${Date.now().toString(36)}.${run}.ratings`;
  const env: Env = { KAFKA_TOPIC_RATINGS: topic, KAFKA_PARTITIONS: '6', LOG_LEVEL: 'warn' };
  const kafka = new KafkaConnection(configFromEnvironment(env));
  try {
    const result = await fn(env, topic);
    const offsets = await (await kafka.admin()).fetchTopicOffsets(topic);
    const stored = offsets.reduce((s, p) => s + Number(p.high) - Number(p.low), 0);
    if (offsets.length !== 6) throw new Error(`${topic} has ${offsets.length} partitions, expected 6`);
    await (await kafka.admin()).deleteTopics({ topics: [topic] });
    return { ...result, stored };
  } finally {
    await kafka.onApplicationShutdown();
  }
}

export async function run(): Promise<BenchResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const runs: Array<Record<string, number>> = [];
  for (let i = 1; i <= RUNS; i++) {
    const figures = await withTopic(`r${i}`, async (env) => {
      // The machine is shared: the load before the run helps to read an outlier.
      const load = round(loadavg()[0], 2);
      const { summary, cpuPercent, peakRssMiB } = await produce(['--count', String(RATINGS), '--seed', String(i)], env);
      return {
        'ratings/s': round(summary.ratingsPerSecond, 0),
        seconds: round(summary.seconds, 2),
        'cpu % (1 core = 100)': cpuPercent,
        'rss MiB (peak)': peakRssMiB,
        'send errors': summary.errors,
        sent: summary.sent,
        'cpu µs/rating': round((summary.cpuSeconds / summary.sent) * 1e6, 2),
        'load avg before': load,
      };
    });
    if (figures.stored !== RATINGS || figures.sent !== RATINGS) {
      throw new Error(`run ${i}: sent ${figures.sent}, topic holds ${figures.stored}, expected ${RATINGS}`);
    }
    process.stderr.write(`  run ${i}: ${JSON.stringify(figures)}\n`);
    runs.push(figures);
  }
  const figures: Record<string, number | string> = medianOfRuns(runs);

  if (HOLD_SECONDS > 0) {
    const count = HOLD_RATE * HOLD_SECONDS;
    const hold = await withTopic('hold', async (env) => {
      const { summary, cpuPercent } = await produce(['--count', String(count), '--rate', String(HOLD_RATE)], env);
      return { achieved: summary.ratingsPerSecond, cpuPercent };
    });
    figures[`paced ${HOLD_RATE}/s for ${HOLD_SECONDS} s: achieved ratings/s`] = round(hold.achieved, 1);
    figures['paced: deviation from target %'] = round(((hold.achieved - HOLD_RATE) / HOLD_RATE) * 100, 2);
    figures['paced: cpu %'] = hold.cpuPercent;
  }

  return {
    name: 'producer: sustained publish throughput',
    method:
      `${RUNS} runs of the produce CLI (node dist/…/cli.js --count ${RATINGS}, full speed, 100 Faker viewers, ` +
      `built-in catalogue) to a fresh 6-partition topic on the local broker; idempotent producer, acks=all, ` +
      `batches of up to 10,000, two lanes (idempotent producers keyed by viewer, one send in flight each); throughput = acknowledged ratings / (first send → last ack); ` +
      `CPU of the CLI process over the sending phase (its own process.cpuUsage) and its peak RSS (sampled from /proc); medians. Each run checks the topic holds exactly ${RATINGS} records.` +
      (HOLD_SECONDS > 0 ? ` Then one paced run at --rate ${HOLD_RATE} for ${HOLD_SECONDS} s.` : ''),
    figures,
    runs,
    targets: {
      'ratings/s': '>= 50000',
      'paced: deviation from target %': 'within ±5',
    },
  };
}

runIfMain(module, run);
