import { Env } from '@reeltime/config';
import { HOUR_MS, aggregateRatings, hourStart, toHourlyStats } from '@reeltime/contracts';
import { io } from 'socket.io-client';
import {
  BenchResult,
  ProcessSampler,
  benchNamespace,
  percentile,
  runIfMain,
  round,
  removeBenchNamespace,
  medianOfRuns,
  openStatsNamespace,
} from './lib';
import { startQuery } from './ws-fanout';
import { sleep } from '@reeltime/runtime';

/**
 * Stats fan-in: the query service's own lag on `user-hour-stats`. The benchmark publishes stats
 * messages straight to the topic (as the consumer does after its flushes) at RATE (user, hour) updates
 * per second for BACKGROUND users nobody watches, plus one update per second for each of WATCHED users
 * that a socket.io client on /live subscribed to, carrying its publish time as `updatedAt`. The delay
 * of a watched update = its `stats` push's receipt − its publish time, i.e. Kafka plus the query
 * service's reading, checking, cache invalidation and push, with no consumer or Cassandra in the path.
 * Also reports the query process's CPU per update. Run `npm run build` first.
 */
const PORT = '3914';
const RATE = Number(process.env.BENCH_FANIN_RATE ?? 10_000);
const BACKGROUND = Number(process.env.BENCH_FANIN_USERS ?? 10_000);
const WATCHED = 20;
const SECONDS = Number(process.env.BENCH_FANIN_SECONDS ?? 30);
const RUNS = Number(process.env.BENCH_FANIN_RUNS ?? 3);
const TICK_MS = 50;

async function measure(): Promise<Record<string, number>> {
  const env: Env = benchNamespace('fanin', { QUERY_PORT: PORT });
  const { config, kafka, producer } = await openStatsNamespace(env);
  const child = await startQuery(env, PORT);
  const delays: number[] = [];
  const socket = io(`http://127.0.0.1:${PORT}/live`, { transports: ['websocket'] });
  try {
    await new Promise<void>((r) => socket.on('connect', () => r()));
    const watched = Array.from({ length: WATCHED }, (_, i) => `watched ${i}`);
    for (const name of watched) await socket.emitWithAck('subscribe', { name });
    socket.on('stats', (s: { updatedAt: string }) => delays.push(Date.now() - Date.parse(s.updatedAt)));

    const hour = hourStart(Date.now()) - HOUR_MS;
    const sampler = new ProcessSampler(child.pid!);
    const started = Date.now();
    let sent = 0;
    let watchedSent = 0;
    let tick = 0;
    while (Date.now() - started < SECONDS * 1000) {
      tick += 1;
      const due = Math.round((RATE * (Date.now() - started)) / 1000);
      const at = Date.now();
      const messages = [];
      for (; sent < due; sent++) {
        const stats = toHourlyStats(`viewer ${sent % BACKGROUND}`, hour, { ...aggregateRatings([]), count: sent }, at);
        messages.push({ key: stats.name, value: JSON.stringify(stats) });
      }
      // One update per watched user per second, spread over the ticks.
      if (tick % (1000 / TICK_MS) === 0) {
        for (const name of watched) {
          const stats = toHourlyStats(name, hour, { ...aggregateRatings([]), count: tick }, at);
          messages.push({ key: name, value: JSON.stringify(stats) });
          watchedSent += 1;
        }
      }
      if (messages.length) await producer.send({ topic: config.kafka.topics.stats, messages });
      const wait = started + tick * TICK_MS - Date.now();
      if (wait > 0) await sleep(wait);
    }
    const sentSeconds = (Date.now() - started) / 1000;
    const deadline = Date.now() + 30_000;
    while (delays.length < watchedSent && Date.now() < deadline) await sleep(100);
    const usage = sampler.stop();
    const updates = sent + watchedSent;
    return {
      'updates/s sent': round(updates / sentSeconds, 0),
      'watched updates': watchedSent,
      'watched pushes missing': watchedSent - delays.length,
      'push delay p50 ms': percentile(delays, 50),
      'push delay p99 ms': percentile(delays, 99),
      'push delay max ms': Math.max(...delays),
      'query CPU µs per update': round((usage.cpuPercent * 1e4 * sentSeconds) / updates, 1),
      'query CPU %': usage.cpuPercent,
      'query peak RSS MiB': usage.peakRssMiB,
    };
  } finally {
    socket.disconnect();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await producer.disconnect();
    await removeBenchNamespace(kafka, config);
  }
}

export async function run(): Promise<BenchResult> {
  const runs: Array<Record<string, number>> = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(await measure());
    process.stderr.write(`  run ${i + 1}: ${JSON.stringify(runs[i])}\n`);
  }
  return {
    name: 'stats fan-in (user-hour-stats → query service → socket)',
    method:
      `${RATE} stats updates/s for ${BACKGROUND} unwatched users plus 1/s for each of ${WATCHED} watched users, ` +
      `published straight to the stats topic for ${SECONDS} s; delay = push receipt − publish time of each watched ` +
      `update; ${RUNS} runs, medians.`,
    figures: medianOfRuns(runs),
    runs,
    targets: { 'push delay p99 ms': 'no delay from the fan-in (p99 well under the 1 s batch interval)' },
  };
}

runIfMain(module, run);
