import { spawn, ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { openSync } from 'node:fs';
import { resolve } from 'node:path';
import { configFromEnvironment, Env } from '@reeltime/config';
import { migrate } from '@reeltime/cassandra';
import { HourlyStats, encodeRatingEvent, hourStart } from '@reeltime/contracts';
import { KafkaConnection } from '@reeltime/kafka';
import { io } from 'socket.io-client';
import { SERVICE_NODE_ARGS } from '../tools/launcher/build';
import {
  benchNamespace,
  BenchResult,
  infraSampler,
  MachineSampler,
  ProcessSampler,
  percentile,
  removeBenchNamespace,
  runIfMain,
  round,
} from './lib';
import { sleep } from '@reeltime/runtime';

/**
 * Freshness: the delay from an event's production (the moment its send to Kafka is acknowledged)
 * to the `stats` push that first includes it, received by a socket.io client subscribed on the query
 * service's /live namespace (the dashboard's own protocol). A steady trickle of ratings for USERS
 * subscribed users runs for DURATION per batch interval; the consumer and query services run as
 * processes from dist/. Run `npm run build` first.
 *
 * Under load: BENCH_FRESH_LOADS (e.g. `2000x10000,10000x100000`) adds, for each entry, runs at
 * BATCH_INTERVAL_MS=1000 with the producer CLI sending that many ratings/s from that many other users
 * into the same topic for the whole measurement, and reports the consumer's and the query service's CPU
 * per background rating. BENCH_FRESH_SCENARIOS adds runs across the turn of an hour and through a consumer restart.
 */
const ROOT = resolve(__dirname, '..');
const USERS = 20;
const RATE = 50; // ratings per second
/** Runs per background load (BENCH_FRESH_RUNS, default 2); the median is reported. */
const LOADED_RUNS = Number(process.env.BENCH_FRESH_RUNS ?? 2);

/** BENCH_SERVICE_NODE_ARGS: extra node flags for the services, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const EXTRA_NODE_ARGS = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** BENCH_SERVICE_LOG_DIR: keep each service's info log (JSON lines) in <dir>/<app>.log, appended across runs. */
const LOG_DIR = process.env.BENCH_SERVICE_LOG_DIR;

function start(app: string, env: Env): ChildProcess {
  const stdout = LOG_DIR ? openSync(resolve(LOG_DIR, `${app}.log`), 'a') : 'ignore';
  return spawn(
    process.execPath,
    [...SERVICE_NODE_ARGS(app), ...EXTRA_NODE_ARGS, resolve(ROOT, `dist/apps/${app}/src/main.js`)],
    {
      env: { ...process.env, ...env, ...(LOG_DIR ? { LOG_LEVEL: 'info' } : {}) },
      stdio: ['ignore', stdout, 'inherit'],
    },
  );
}

async function healthy(port: number): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await sleep(500);
  }
  throw new Error(`service on ${port} did not become healthy`);
}

interface Load {
  rate: number;
  users: number;
}

/** The producer CLI from dist/, as a user would run it, into the benchmark's topic. */
function startLoad(load: Load, env: Env, durationMs: number): ChildProcess {
  const count = Math.round((load.rate * durationMs) / 1000);
  const args = ['--users', String(load.users), '--rate', String(load.rate), '--count', String(count), '--json'];
  return spawn(process.execPath, [resolve(ROOT, 'dist/apps/producer/src/cli.js'), ...args], {
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * What happens during a loaded run: `steady`; `hour`, the run starts 20 s before the turn of the next
 * hour by the wall clock (it waits for it), so every user starts a new (user, hour) mid-run; `restart`,
 * the consumer is stopped with SIGTERM 20 s into the run and started again at once.
 */
type Scenario = 'steady' | 'hour' | 'restart';

/** The p99 of each 10 s window from the start of the load, by send time, in order. */
function windowP99s(samples: Array<{ sentAt: number; delay: number }>, started: number): number[] {
  const windows = new Map<number, number[]>();
  for (const { sentAt, delay } of samples) {
    const w = Math.floor((sentAt - started) / 10_000);
    const list = windows.get(w);
    if (list) list.push(delay);
    else windows.set(w, [delay]);
  }
  return [...windows].sort(([a], [b]) => a - b).map(([, d]) => percentile(d, 99));
}

/**
 * The consumer starts cold in every run (no (user, hour) cached, code not yet optimised by V8) while the
 * load starts at full rate, so the first seconds measure a warm-up; figures from WARM_UP_MS on leave it out.
 */
const WARM_UP_MS = 20_000;

/** The consumer's flush-duration histogram: how many flushes, and how many took at most `le` seconds. */
interface Flushes {
  count: number;
  within: number;
}

/** From the consumer's /metrics (`reeltime_consumer_flush_duration_seconds`, cumulative buckets). */
async function flushes(port: number, le: number): Promise<Flushes> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  const value = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? NaN);
  return {
    // Every series carries the registry's default label (service="consumer") next to `le`.
    count: value(/^reeltime_consumer_flush_duration_seconds_count(?:\{[^}]*\})? (\S+)$/m),
    within: value(
      new RegExp(`^reeltime_consumer_flush_duration_seconds_bucket\\{[^}]*le="${le}"[^}]*\\} (\\S+)$`, 'm'),
    ),
  };
}

/** A loaded run's length: a minute, and at least four flushes at long intervals. */
const loadedDurationMs = (intervalMs: number): number => Math.max(60_000, 4 * intervalMs);

const SCENARIO_LABEL: Record<Scenario, string> = {
  steady: 'steady',
  hour: 'across the turn of an hour',
  restart: 'consumer restarted at 20 s',
};
/** BENCH_FRESH_SCENARIOS, e.g. `steady,hour,restart` (default steady): each is run for every load. */
const SCENARIOS = (process.env.BENCH_FRESH_SCENARIOS ?? 'steady').split(',').map((name) => {
  if (!(name in SCENARIO_LABEL)) throw new Error(`BENCH_FRESH_SCENARIOS: unknown scenario "${name}"`);
  return name as Scenario;
});

async function untilNextHourMinus(ms: number): Promise<void> {
  const wait = hourStart(Date.now()) + 3_600_000 - ms - Date.now();
  process.stderr.write(`waiting ${Math.round(wait / 1000)} s for the turn of the hour\n`);
  if (wait > 0) await sleep(wait);
}

async function measure(
  intervalMs: number,
  durationMs: number,
  load?: Load,
  scenario: Scenario = 'steady',
): Promise<Record<string, number>> {
  const env: Env = benchNamespace('fresh', {
    BATCH_INTERVAL_MS: String(intervalMs),
    QUERY_PORT: '3910',
    CONSUMER_PORT: '3912',
    QUERY_LIVE_RATE_LIMIT: '0', // the one client subscribes to every watched user at once
  });
  const config = configFromEnvironment(env);
  await migrate(config.cassandra, resolve(ROOT, 'cql'));
  const kafka = new KafkaConnection(config);
  await kafka.ensureTopics(Object.values(config.kafka.topics));
  let consumer = start('consumer', env);
  const query = start('query', env);
  await Promise.all([healthy(3910), healthy(3912)]);
  if (scenario === 'hour') await untilNextHourMinus(20_000);
  let consumerCpu = new ProcessSampler(consumer.pid!);
  let consumerCpuBefore = 0;
  const queryCpu = new ProcessSampler(query.pid!);
  // Where the cores go under load: the JVMs and the machine as a whole (load generator and bench included).
  const cassandraCpu = infraSampler('cassandra');
  const brokerCpu = infraSampler('kafka');
  const machineCpu = new MachineSampler();
  const background = load ? startLoad(load, env, durationMs) : undefined;
  const loadStarted = Date.now();
  // When the load generator has sent its whole count: later than planned when it cannot keep the rate.
  const loadDone = background
    ? new Promise<number>((r) => background.on('exit', () => r(Date.now())))
    : Promise.resolve(Date.now());

  const names = Array.from({ length: USERS }, (_, i) => `fresh user ${i}`);
  // Per (user, hour): send times in order; a push with count c covers the first c of them.
  const sent = new Map<string, number[]>();
  const covered = new Map<string, number>();
  const delays: number[] = [];
  const samples: Array<{ sentAt: number; delay: number }> = [];
  const socket = io('http://127.0.0.1:3910/live', { transports: ['websocket'] });
  socket.on('stats', (s: HourlyStats) => {
    const key = `${s.name}|${Date.parse(s.hour)}`;
    const times = sent.get(key) ?? [];
    const now = Date.now();
    for (let i = covered.get(key) ?? 0; i < Math.min(s.count, times.length); i++) {
      delays.push(now - times[i]);
      samples.push({ sentAt: times[i], delay: now - times[i] });
    }
    covered.set(key, Math.max(covered.get(key) ?? 0, s.count));
  });
  await new Promise<void>((r) => socket.on('connect', () => r()));
  for (const name of names) await socket.emitWithAck('subscribe', { name });

  const producer = kafka.createProducer({ idempotent: true });
  await producer.connect();
  const started = Date.now();
  let i = 0;
  let restarted = scenario !== 'restart';
  // Flushes from the end of the warm-up on: the steady state the interval is promised for. After a
  // restart the new consumer's counters start at zero, so its flushes all count.
  const le = intervalMs / 1000;
  let warmFlushes: Flushes | undefined;
  const warm = setTimeout(() => {
    if (scenario !== 'restart') void flushes(3912, le).then((f) => (warmFlushes = f));
  }, WARM_UP_MS);
  while (Date.now() - started < durationMs) {
    if (!restarted && Date.now() - started > 20_000) {
      restarted = true;
      // CPU of both consumer processes counts: the first one's up to its exit, then the second's.
      consumerCpuBefore = consumerCpu.stop().cpuSeconds;
      const old = consumer;
      old.kill('SIGTERM');
      await new Promise((r) => old.on('exit', r));
      consumer = start('consumer', env);
      consumerCpu = new ProcessSampler(consumer.pid!);
      process.stderr.write(`consumer restarted under load at ${new Date().toISOString()}\n`);
    }
    const name = names[i++ % USERS];
    const time = Date.now();
    await producer.send({
      topic: config.kafka.topics.ratings,
      acks: -1,
      messages: [
        {
          key: name,
          value: encodeRatingEvent({ id: randomUUID(), name, movie: 'Heat (1995)', rating: 1 + (i % 10), time }),
        },
      ],
    });
    const key = `${name}|${hourStart(time)}`;
    sent.set(key, [...(sent.get(key) ?? []), Date.now()]);
    await sleep(1000 / RATE);
  }
  const total = [...sent.values()].reduce((s, t) => s + t.length, 0);
  const deadline = Date.now() + intervalMs + 30_000;
  while (delays.length < total && Date.now() < deadline) await sleep(200);

  const loadEnded = await loadDone;
  clearTimeout(warm);
  const end = await flushes(3912, le);
  const steady = warmFlushes ? { count: end.count - warmFlushes.count, within: end.within - warmFlushes.within } : end;
  const cpu = {
    consumer: consumerCpu.stop(),
    query: queryCpu.stop(),
    cassandra: cassandraCpu?.stop(),
    broker: brokerCpu?.stop(),
    machine: machineCpu.stop(),
  };
  // As a mean over the whole load: the CPU-seconds of every consumer process that ran.
  const consumerCpuSeconds = consumerCpuBefore + cpu.consumer.cpuSeconds;
  socket.disconnect();
  await producer.disconnect();
  consumer.kill('SIGTERM');
  query.kill('SIGTERM');
  await Promise.all([consumer, query].map((p) => new Promise((r) => p.on('exit', r))));
  await removeBenchNamespace(kafka, config);
  const windows = windowP99s(samples, started);
  process.stderr.write(`p99 per 10 s window, ms: ${windows.map((w) => Math.round(w)).join(' ')}\n`);
  const afterWarmUp = samples.filter((x) => x.sentAt >= started + WARM_UP_MS).map((x) => x.delay);
  return {
    events: total,
    'delivered events': delays.length,
    'p50 ms': round(percentile(delays, 50), 0),
    'p99 ms': round(percentile(delays, 99), 0),
    'max ms': round(Math.max(...delays), 0),
    'worst 10 s window p99 ms': round(Math.max(...windows), 0),
    'p99 from 20 s on ms': round(percentile(afterWarmUp.length ? afterWarmUp : [NaN], 99), 0),
    'flushes from 20 s on': steady.count,
    'of which longer than the interval': steady.count - steady.within,
    ...(load
      ? {
          'background ratings/s achieved': round((load.rate * durationMs) / (loadEnded - loadStarted), 0),
          'consumer CPU µs per background rating': round(
            (consumerCpuSeconds * 1e6) / (load.rate * (durationMs / 1000)),
            1,
          ),
          'query CPU µs per background rating': round(
            (cpu.query.cpuSeconds * 1e6) / (load.rate * (durationMs / 1000)),
            1,
          ),
          'Cassandra CPU µs per background rating': round(
            ((cpu.cassandra?.cpuSeconds ?? NaN) * 1e6) / (load.rate * (durationMs / 1000)),
            1,
          ),
          'broker CPU µs per background rating': round(
            ((cpu.broker?.cpuSeconds ?? NaN) * 1e6) / (load.rate * (durationMs / 1000)),
            1,
          ),
          'machine busy %': cpu.machine.busyPercent,
          'consumer peak RSS MiB': cpu.consumer.peakRssMiB,
        }
      : {}),
  };
}

/** BENCH_FRESH_INTERVALS (default `1000`): the loaded runs' BATCH_INTERVAL_MS values, e.g. `1000,30000`. */
function intervalsFromEnv(): number[] {
  return (process.env.BENCH_FRESH_INTERVALS ?? '1000').split(',').map((entry) => {
    const ms = Number(entry);
    if (!(Number.isInteger(ms) && ms >= 100))
      throw new Error(`BENCH_FRESH_INTERVALS: expected milliseconds, got "${entry}"`);
    return ms;
  });
}

/** `2000x10000,10000x100000` → rate × users. */
function loadsFromEnv(): Load[] {
  return (process.env.BENCH_FRESH_LOADS ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const [rate, users] = entry.split('x').map(Number);
      if (!(rate > 0 && users > 0)) throw new Error(`BENCH_FRESH_LOADS: expected RATExUSERS, got "${entry}"`);
      return { rate, users };
    });
}

const prefixed = (prefix: string, r: Record<string, number>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [`${prefix}${k}`, v]));

export async function run(): Promise<BenchResult> {
  const loads = loadsFromEnv();
  // BENCH_FRESH_LOADS_ONLY=1 skips the unloaded runs, to compare builds under load quickly.
  const loadsOnly = process.env.BENCH_FRESH_LOADS_ONLY === '1';
  const fast = loadsOnly ? [] : [await measure(1000, 30_000), await measure(1000, 30_000), await measure(1000, 30_000)];
  const slow = loadsOnly ? [] : [await measure(30_000, 90_000)];
  const intervals = intervalsFromEnv();
  const loaded = new Map<string, Array<Record<string, number>>>();
  for (const intervalMs of intervals) {
    for (const load of loads) {
      for (const scenario of SCENARIOS) {
        const label = `interval ${intervalMs / 1000} s, load ${load.rate}/s from ${load.users} users${scenario === 'steady' ? '' : `, ${SCENARIO_LABEL[scenario]}`}`;
        const runs = [];
        for (let i = 0; i < LOADED_RUNS; i++) {
          runs.push(await measure(intervalMs, loadedDurationMs(intervalMs), load, scenario));
        }
        loaded.set(label, runs);
      }
    }
  }
  const figures: Record<string, number> = {};
  const med = (runs: Array<Record<string, number>>, k: string) =>
    [...runs.map((r) => r[k])].sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  for (const k of ['p50 ms', 'p99 ms', 'max ms']) {
    if (fast.length) figures[`interval 1 s: ${k}`] = med(fast, k);
    if (slow.length) figures[`interval 30 s: ${k}`] = med(slow, k);
  }
  for (const [label, runs] of loaded) {
    for (const k of Object.keys(runs[0]).filter((k) => k !== 'events' && k !== 'delivered events')) {
      figures[`${label}: ${k}`] = med(runs, k);
    }
  }
  return {
    name: 'freshness (production → stats push on the socket)',
    method: `${RATE} ratings/s over ${USERS} subscribed users; BATCH_INTERVAL_MS=1000: 3 runs of 30 s; BATCH_INTERVAL_MS=30000: 1 run of 90 s (every event measured)${loads.length ? `; with background load from the producer CLI (BENCH_FRESH_LOADS=${process.env.BENCH_FRESH_LOADS}, scenarios ${SCENARIOS.join(', ')}): ${LOADED_RUNS} runs each at BATCH_INTERVAL_MS=${intervals.join(' and ')} (${intervals.map((ms) => `${loadedDurationMs(ms) / 1000} s`).join(' and ')} long), medians; flushes counted from the consumer's flush_duration_seconds histogram` : ''}. Delay = receipt of the first stats push covering the event − acknowledgement of its send.`,
    figures,
    runs: [
      ...fast.map((r) => prefixed('interval 1 s: ', r)),
      ...slow.map((r) => prefixed('interval 30 s: ', r)),
      ...[...loaded].flatMap(([label, runs]) => runs.map((r) => prefixed(`${label}: `, r))),
    ],
    targets: { 'interval 1 s: p99 ms': '≤ 2000', 'interval 30 s: p99 ms': '≤ 31000' },
  };
}

runIfMain(module, run);
