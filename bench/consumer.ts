import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { configFromEnvironment, Env } from '@reeltime/config';
import { encodeRatingEvent } from '@reeltime/contracts';
import { KafkaConnection } from '@reeltime/kafka';
import { dropKeyspace, migrate } from '@reeltime/cassandra';
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { SERVICE_NODE_ARGS } from '../tools/launcher/build';
import { benchNamespace, BenchResult, ProcessSampler, infraSampler, medianOfRuns, runIfMain, round } from './lib';
import { sleep } from '@reeltime/runtime';

/**
 * Consumer drain: a backlog of RATINGS ratings from USERS users is written to a fresh topic first, then
 * one consumer process (the compiled service, default settings but the batch interval) drains it into
 * Cassandra. Figures: drain rate while a backlog remains (sustained, see SUSTAINED), from the first to
 * the last commit, and from process start; peak RSS and mean CPU of the consumer process. Run
 * `npm run build` first. BENCH_NODE_ARGS replaces the consumer's Node flags (to try heap settings).
 */
const RATINGS = Number(process.env.BENCH_RATINGS ?? 1_000_000);
const USERS = Number(process.env.BENCH_USERS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONSUMERS = Number(process.env.BENCH_CONSUMERS ?? 1);
const ROOT = resolve(__dirname, '..');
/**
 * The drain rate while a backlog remains: from the first commit to the last one that left at least
 * BATCH_MAX_RECORDS ratings per consumer instance behind. The remainder of a finite backlog is a
 * partial batch that waits for the batch interval (up to 5 s here), which says how long that timer
 * is, not how fast the consumer writes; it is reported separately.
 */
const SUSTAINED = 'ratings/s (sustained, while ≥ one batch per instance is left)';

interface Sample {
  at: number;
  committed: number;
}

async function preload(kafka: KafkaConnection, topic: string): Promise<void> {
  const producer = kafka.createProducer({ idempotent: true });
  await producer.connect();
  const now = Date.now();
  const names = Array.from({ length: USERS }, (_, i) => `bench user ${i}`);
  const chunk = 10_000;
  const started = Date.now();
  for (let i = 0; i < RATINGS; i += chunk) {
    const messages = Array.from({ length: Math.min(chunk, RATINGS - i) }, (_, j) => {
      const name = names[(i + j) % USERS];
      const rating = {
        id: randomUUID(),
        name,
        movie: `Movie ${(i + j) % 500}`,
        rating: 1 + ((i + j) % 10),
        time: now - ((i + j) % 3_000_000),
      };
      return { key: name, value: encodeRatingEvent(rating) };
    });
    await producer.send({ topic, acks: -1, messages });
    if ((i / chunk) % 20 === 0)
      process.stderr.write(
        `  preload ${i + messages.length}/${RATINGS} (${Math.round((i + messages.length) / ((Date.now() - started) / 1000))}/s)\n`,
      );
  }
  await producer.disconnect();
}

async function runOnce(run: number): Promise<Record<string, number>> {
  const env: Env = benchNamespace('consumer', {
    BATCH_INTERVAL_MS: process.env.BATCH_INTERVAL_MS ?? '5000',
    ...(process.env.BENCH_CONSUMER_LOG ? { LOG_LEVEL: 'info' } : {}),
  });
  const config = configFromEnvironment(env);
  await migrate(config.cassandra, resolve(ROOT, 'cql'));
  const kafka = new KafkaConnection(config);
  await kafka.ensureTopics([config.kafka.topics.ratings, config.kafka.topics.dlq, config.kafka.topics.stats]);
  process.stderr.write(`run ${run}: preloading ${RATINGS} ratings from ${USERS} users\n`);
  await preload(kafka, config.kafka.topics.ratings);

  // BENCH_CPU_PROF=1 writes a V8 CPU profile of the consumer to bench/results/profiles/.
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${resolve(__dirname, 'results', 'profiles')}`]
    : [];
  // BENCH_CONSUMERS=N starts N instances in the one group (scale-out); each gets its share of partitions.
  const children = Array.from({ length: CONSUMERS }, (_, i) =>
    spawn(
      process.execPath,
      [
        ...profile,
        ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? SERVICE_NODE_ARGS('consumer')),
        // BENCH_CONSUMER_MAIN=<path to main.js> runs another build (e.g. a saved copy of dist) for A/B runs.
        resolve(ROOT, process.env.BENCH_CONSUMER_MAIN ?? 'dist/apps/consumer/src/main.js'),
      ],
      {
        env: { ...process.env, ...env, CONSUMER_PORT: String(3902 + i) },
        // BENCH_CONSUMER_LOG=<file> keeps the (first) consumer's log (flush timings) for a look afterwards.
        stdio: [
          'ignore',
          process.env.BENCH_CONSUMER_LOG && i === 0 ? openSync(process.env.BENCH_CONSUMER_LOG, 'w') : 'ignore',
          'inherit',
        ],
      },
    ),
  );
  const samplers = children.map((child) => new ProcessSampler(child.pid!));
  // Where the two cores go: the JVMs started by `npm run infra:up` are sampled too.
  const cassandra = infraSampler('cassandra');
  const kafkaJvm = infraSampler('kafka');
  const started = Date.now();
  let done = 0;
  let first: Sample | undefined;
  // The last commit that left a full batch per instance behind: what follows is the backlog's remainder.
  let backlogged: Sample | undefined;
  let lastReport = 0;
  for (;;) {
    await sleep(250);
    const lag = await kafka.lag(config.kafka.consumerGroup, config.kafka.topics.ratings).catch(() => []);
    const committed = lag.reduce((s, p) => s + Math.max(0, p.committed), 0);
    const now = Date.now();
    if (committed > done) {
      const sample = { at: now, committed };
      first ??= sample;
      if (RATINGS - committed >= CONSUMERS * config.batch.maxRecords) backlogged = sample;
      done = committed;
    }
    const remaining = lag.reduce((s, p) => s + p.lag, 0);
    if (now - lastReport >= 1000) {
      lastReport = now;
      process.stderr.write(`  drained ${done}/${RATINGS} after ${Math.round((now - started) / 1000)}s\n`);
    }
    if (lag.length && remaining === 0 && done >= RATINGS) break;
    if (now - started > 30 * 60_000) throw new Error('drain did not finish in 30 minutes');
  }
  const seconds = (Date.now() - started) / 1000;
  const rate = (from: Sample | undefined, to: Sample | undefined): number =>
    from && to && to.at > from.at ? round((to.committed - from.committed) / ((to.at - from.at) / 1000), 0) : NaN;
  const last = { at: Date.now(), committed: done };
  const usages = samplers.map((sampler) => sampler.stop());
  const cassandraCpu = cassandra?.stop().cpuPercent ?? NaN;
  const kafkaCpu = kafkaJvm?.stop().cpuPercent ?? NaN;
  await Promise.all(
    children.map((child) => {
      child.kill('SIGTERM');
      return new Promise((r) => child.on('exit', r));
    }),
  );
  await kafka.onApplicationShutdown();
  await dropKeyspace(config.cassandra);
  return {
    [SUSTAINED]: rate(first, backlogged),
    'ratings/s (first to last commit, incl. the last partial batch)': rate(first, last),
    'ratings/s (drain, from process start)': round(RATINGS / seconds, 0),
    'drain seconds': round(seconds),
    'consumer peak RSS MiB (largest instance)': Math.max(...usages.map((u) => u.peakRssMiB)),
    'consumer CPU % (of one core, all instances)': round(
      usages.reduce((sum, u) => sum + u.cpuPercent, 0),
      1,
    ),
    'cassandra CPU % (of one core)': cassandraCpu,
    'kafka CPU % (of one core)': kafkaCpu,
  };
}

export async function run(): Promise<BenchResult> {
  const runs: Array<Record<string, number>> = [];
  for (let i = 1; i <= RUNS; i++) runs.push(await runOnce(i));
  return {
    name: CONSUMERS === 1 ? 'consumer drain' : `consumer drain, ${CONSUMERS} instances`,
    method: `${RUNS} runs; each: ${RATINGS} ratings from ${USERS} users pre-loaded into a fresh 6-partition topic, then ${CONSUMERS === 1 ? 'one consumer process' : `${CONSUMERS} consumer processes in one group`} (BATCH_INTERVAL_MS=${process.env.BATCH_INTERVAL_MS ?? '5000'}, other settings default) drains it into Cassandra; sustained = from the first commit to the last one that left at least BATCH_MAX_RECORDS ratings per instance behind (the rest is a partial batch waiting for the interval), committed offsets polled every 250 ms; Kafka, Cassandra and the consumer share the 2 cores.`,
    figures: medianOfRuns(runs),
    runs,
    targets: {
      [SUSTAINED]: '≥ 50,000',
      'consumer peak RSS MiB (largest instance)': '≤ 300',
    },
  };
}

runIfMain(module, run);
