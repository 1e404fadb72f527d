import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Socket, io } from 'socket.io-client';
import { Env } from '@reeltime/config';
import { HOUR_MS, aggregateRatings, hourStart, toHourlyStats } from '@reeltime/contracts';
import {
  benchNamespace,
  BenchResult,
  ProcessSampler,
  medianOfRuns,
  percentile,
  runIfMain,
  removeBenchNamespace,
  openStatsNamespace,
} from './lib';
import { sleep } from '@reeltime/runtime';

/**
 * WebSocket fan-out: SOCKETS socket.io-client sockets on /live of the compiled query service (a
 * process), subscribed to USERS users (SOCKETS / USERS sockets each). Each round publishes one stats
 * message per user on the stats topic (as the consumer does after a commit) with updatedAt = the
 * publish time; each socket records publish → `stats` delivery delay. ROUNDS rounds per run, RUNS runs,
 * medians of the per-run p50/p99. Run `npm run build` first.
 */
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 2000);
const USERS = Number(process.env.BENCH_WS_USERS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROOT = resolve(__dirname, '..');
const PORT = '3913';
const userName = (i: number) => `fan user ${i}`;

/** The compiled query service, once it has joined its stats group (answers cached: it sees every update). */
export async function startQuery(env: Env, port = PORT): Promise<ChildProcess> {
  // BENCH_SERVICE_NODE_ARGS: extra node flags for the service, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const extra = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, resolve(ROOT, 'dist/apps/query/src/main.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const res = await fetch(`http://127.0.0.1:${port}/api/system`).catch(() => undefined); // not listening yet
    if (res?.status === 200 && ((await res.json()) as { cache: { enabled: boolean } }).cache.enabled) return child;
    if (child.exitCode !== null) throw new Error(`query exited with ${child.exitCode}`);
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error('query did not join its stats group within 60 s');
}

async function connectAll(
  onStats: (i: number, stats: { updatedAt: string; count: number }) => void,
): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let start = 0; start < SOCKETS; start += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, SOCKETS - start) }, async (_, k) => {
        const i = start + k;
        const socket = io(`http://127.0.0.1:${PORT}/live`, { transports: ['websocket'], forceNew: true });
        await new Promise<void>((ok, fail) => {
          socket.once('connect', () => ok());
          socket.once('connect_error', fail);
        });
        socket.on('stats', (s: { updatedAt: string; count: number }) => onStats(i, s));
        const ack = (await socket.emitWithAck('subscribe', { name: userName(i % USERS) })) as { ok: boolean };
        if (!ack.ok) throw new Error(`subscribe failed: ${JSON.stringify(ack)}`);
        return socket;
      }),
    );
    sockets.push(...batch);
  }
  return sockets;
}

export async function run(): Promise<BenchResult> {
  // One client address opens every socket: its subscribes must not be rate limited.
  const env: Env = benchNamespace('ws', { QUERY_PORT: PORT, QUERY_LIVE_RATE_LIMIT: '0' });
  const { config, kafka, producer } = await openStatsNamespace(env);
  const child = await startQuery(env);
  const sampler = new ProcessSampler(child.pid!);
  const runs: Array<Record<string, number>> = [];
  let sockets: Socket[] = [];
  let usage = { peakRssMiB: 0, cpuPercent: 0 };
  try {
    let delays: number[] = [];
    let currentRound = -1;
    const started = Date.now();
    sockets = await connectAll((_i, s) => {
      if (s.count === currentRound) delays.push(Date.now() - Date.parse(s.updatedAt));
    });
    process.stderr.write(`${sockets.length} sockets connected and subscribed in ${Date.now() - started} ms\n`);
    const hour = hourStart(Date.now()) - HOUR_MS;
    let round = 0;
    for (let r = 0; r < RUNS; r++) {
      const all: number[] = [];
      let missing = 0;
      for (let k = 0; k < ROUNDS; k++) {
        round += 1;
        currentRound = round;
        delays = [];
        const at = Date.now();
        // count = the round number, so a late delivery from an earlier round is not counted in this one.
        const agg = { ...aggregateRatings([]), count: round };
        await producer.send({
          topic: config.kafka.topics.stats,
          messages: Array.from({ length: USERS }, (_, u) => {
            const stats = toHourlyStats(userName(u), hour, agg, at);
            return { key: stats.name, value: JSON.stringify(stats) };
          }),
        });
        const deadline = Date.now() + 15_000;
        while (delays.length < SOCKETS && Date.now() < deadline) await sleep(10);
        missing += SOCKETS - delays.length;
        all.push(...delays);
        await sleep(500);
      }
      const figures = {
        'delivery p50 ms': percentile(all, 50),
        'delivery p99 ms': percentile(all, 99),
        'delivery max ms': Math.max(...all),
        'deliveries missing': missing,
      };
      process.stderr.write(`  run ${r + 1}: ${JSON.stringify(figures)}\n`);
      runs.push(figures);
    }
  } finally {
    for (const s of sockets) s.disconnect();
    usage = sampler.stop();
    process.stderr.write(`  query process: peak RSS ${usage.peakRssMiB} MiB, mean CPU ${usage.cpuPercent} %\n`);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await removeBenchNamespace(kafka, config);
  }
  return {
    name: 'WebSocket fan-out',
    method:
      `${SOCKETS} socket.io-client sockets (websocket transport, one client process) on the compiled query service, ` +
      `subscribed to ${USERS} users (${SOCKETS / USERS} each); ${ROUNDS} rounds per run of one stats message per user ` +
      `(${USERS} messages, one Kafka send); delay = delivery time − publish time (updatedAt) at every socket; ${RUNS} runs, medians.`,
    figures: {
      ...medianOfRuns(runs),
      'query peak RSS MiB': usage.peakRssMiB,
      'query CPU % (whole bench)': usage.cpuPercent,
    },
    runs,
    targets: { 'delivery p99 ms': '≤ 500' },
  };
}

runIfMain(module, run);
