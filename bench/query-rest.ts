import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'cassandra-driver';
import { configFromEnvironment, Env } from '@reeltime/config';
import { HOUR_MS, aggregateRatings, hourStart } from '@reeltime/contracts';
import { USERS_BY_HOUR_BUCKETS, bucketOf, clientOptions, migrate } from '@reeltime/cassandra';
import { KafkaConnection } from '@reeltime/kafka';
import {
  benchNamespace,
  BenchResult,
  ProcessSampler,
  medianOfRuns,
  runIfMain,
  round,
  removeBenchNamespace,
} from './lib';
import { sleep } from '@reeltime/runtime';

/**
 * Query REST throughput and latency (autocannon) on GET …/average (a COUNT/SUM over the user-hour's
 * `records` partition) and GET …/stats (one `user_hour_stats` row), served by the compiled query
 * service as a process:
 *   cached   — 100 user-hours, warmed, answered from the in-memory cache;
 *   uncached — a random one of USERS × 3 user-hours per request against a service started with
 *              QUERY_CACHE_MAX_ENTRIES=1, so every request reads Cassandra.
 * RUNS runs of DURATION seconds per case, medians of req/s, p50 and p99. Run `npm run build` first.
 */
const USERS = Number(process.env.BENCH_USERS ?? 2000);
const HOURS = 3;
const PER_HOUR = 4;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const HOT = 100;
const ROOT = resolve(__dirname, '..');

const userName = (i: number) => `bench user ${i}`;
const hours = Array.from({ length: HOURS }, (_, i) => hourStart(Date.now()) - (i + 1) * HOUR_MS);

async function seed(env: Env): Promise<void> {
  const config = configFromEnvironment(env);
  await migrate(config.cassandra, resolve(ROOT, 'cql'));
  const client = new Client(clientOptions(config.cassandra, config.cassandra.keyspace));
  await client.connect();
  const jobs: Array<() => Promise<unknown>> = [];
  for (let u = 0; u < USERS; u++) {
    for (const hour of hours) {
      const name = userName(u);
      const ratings = Array.from({ length: PER_HOUR }, (_, k) => 1 + ((u + k * 3) % 10));
      const agg = aggregateRatings(ratings);
      jobs.push(() =>
        client.batch(
          ratings.map((r, k) => ({
            query: 'INSERT INTO records (name, hour, time, id, movie, rating) VALUES (?, ?, ?, uuid(), ?, ?)',
            params: [name, new Date(hour), new Date(hour + k * 1000), `Movie ${k}`, r],
          })),
          { prepare: true, logged: false },
        ),
      );
      jobs.push(() =>
        client.execute(
          'INSERT INTO user_hour_stats (name, hour, count, sum, min, max, histogram, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          [name, new Date(hour), agg.count, agg.sum, agg.min, agg.max, agg.histogram, new Date()],
          { prepare: true },
        ),
      );
      jobs.push(() =>
        client.execute(
          'INSERT INTO users_by_hour (hour, bucket, name) VALUES (?, ?, ?)',
          [new Date(hour), bucketOf(name, USERS_BY_HOUR_BUCKETS), name],
          { prepare: true },
        ),
      );
    }
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < jobs.length) await jobs[next++]();
    }),
  );
  await client.shutdown();
}

async function startQuery(env: Env): Promise<ChildProcess> {
  // BENCH_CPU_PROF=1 writes a V8 CPU profile of the query service to bench/results/profiles/.
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${resolve(__dirname, 'results', 'profiles')}`]
    : [];
  const child = spawn(process.execPath, [...profile, resolve(ROOT, 'dist/apps/query/src/main.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const res = await fetch(`http://127.0.0.1:${env.QUERY_PORT}/health`).catch(() => undefined); // not listening yet
    if (res?.status === 200) {
      // Answers are cached only once the stats subscription has joined its group.
      const system = (await (await fetch(`http://127.0.0.1:${env.QUERY_PORT}/api/system`)).json()) as {
        cache: { enabled: boolean };
      };
      if (system.cache.enabled) return child;
    }
    if (child.exitCode !== null) throw new Error(`query exited with ${child.exitCode}`);
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error('query did not become healthy within 60 s');
}

function path(route: 'average' | 'stats', user: number, hour: number): string {
  return `/api/users/${encodeURIComponent(userName(user))}/hours/${new Date(hour).toISOString()}/${route}`;
}

async function load(
  port: number,
  route: 'average' | 'stats',
  pick: () => [number, number],
  seconds: number,
): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => {
          const [u, h] = pick();
          return { ...req, path: path(route, u, hours[h]) };
        },
      },
    ],
  });
}

export async function run(): Promise<BenchResult> {
  const base: Env = benchNamespace('query');
  process.stderr.write(`seeding ${USERS} users × ${HOURS} hours × ${PER_HOUR} ratings\n`);
  await seed(base);
  const runs: Array<Record<string, number>> = [];
  const cases = [
    {
      label: 'cached',
      env: { QUERY_PORT: '3911', QUERY_RATE_LIMIT: '0' }, // one client at thousands of requests/s
      pick: (): [number, number] => [Math.floor(Math.random() * HOT), 0],
    },
    {
      label: 'uncached',
      env: { QUERY_PORT: '3912', QUERY_CACHE_MAX_ENTRIES: '1', QUERY_RATE_LIMIT: '0' },
      pick: (): [number, number] => [Math.floor(Math.random() * USERS), Math.floor(Math.random() * HOURS)],
    },
  ];
  try {
    const figures: Array<Record<string, number>> = Array.from({ length: RUNS }, () => ({}));
    // BENCH_CASES=cached runs a subset.
    const only = process.env.BENCH_CASES?.split(',');
    for (const c of cases.filter((k) => !only || only.includes(k.label))) {
      const env = { ...base, ...c.env };
      const child = await startQuery(env);
      const port = Number(env.QUERY_PORT);
      try {
        for (const route of ['stats', 'average'] as const) {
          await load(port, route, c.pick, 2); // warm-up: JIT, connections, prepared statements, cache
          for (let r = 0; r < RUNS; r++) {
            const sampler = new ProcessSampler(child.pid!);
            const result = await load(port, route, c.pick, DURATION);
            const usage = sampler.stop();
            const bad = result.non2xx + result.errors + result.timeouts;
            if (bad > 0) throw new Error(`${c.label} ${route}: ${bad} failed requests`);
            Object.assign(figures[r], {
              [`${route} ${c.label} req/s`]: round(result.requests.average, 0),
              [`${route} ${c.label} p50 ms`]: result.latency.p50,
              [`${route} ${c.label} p99 ms`]: result.latency.p99,
              [`${route} ${c.label} query CPU %`]: usage.cpuPercent,
            });
            process.stderr.write(
              `  ${c.label} ${route} run ${r + 1}: ${round(result.requests.average, 0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms\n`,
            );
          }
        }
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    }
    runs.push(...figures);
  } finally {
    const config = configFromEnvironment(base);
    await removeBenchNamespace(new KafkaConnection(config), config);
  }
  return {
    name: 'query REST',
    method:
      `autocannon, ${CONNECTIONS} connections, ${DURATION} s per run, ${RUNS} runs (medians), after a 2 s warm-up; ` +
      `compiled query service as a process on the same 2-core machine as Kafka, Cassandra and autocannon. ` +
      `cached: ${HOT} warmed user-hours; uncached: random of ${USERS}×${HOURS} user-hours with QUERY_CACHE_MAX_ENTRIES=1. ` +
      `/average = COUNT/SUM over the records partition (${PER_HOUR} rows), /stats = one user_hour_stats row.`,
    figures: medianOfRuns(runs),
    runs,
    targets: { 'stats cached req/s': '≥ 5000', 'stats cached p99 ms': '≤ 20' },
  };
}

runIfMain(module, run);
