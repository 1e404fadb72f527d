import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Env } from '@reeltime/config';
import { HourlyStats, encodeRatingEvent, hourStart } from '@reeltime/contracts';
import { sleep } from '@reeltime/runtime';
import { LocalInfra } from '../tools/infra';
import { launchChromium } from '../test/support/browser';
import { BenchResult, benchNamespace, medianOfRuns, openStatsNamespace, removeBenchNamespace, runIfMain } from './lib';
import { startQuery } from './ws-fanout';

/**
 * The dashboard page under a fast feed, in headless Chromium against the compiled query service (a
 * process): RATE ratings/s on the ratings topic for SECONDS s (the service pushes `feed` every 50 ms),
 * and the watched user's stats 10 times a second, with the 7 d chart on. Records the page's long tasks
 * (PerformanceObserver 'longtask': main-thread tasks over 50 ms), its renders (window.reeltimeFrames)
 * and, after a forced GC, its JS heap and DOM nodes. The target is no long task at all; the browser test
 * (test/query/dashboard.load.browser.test.ts) only bounds a freeze, as it shares the cores with others.
 * Run `npm run build` first, on a machine doing nothing else.
 *
 * A viewer's browser does not share its cores with Kafka, Cassandra and the query service; here it
 * does, and the scheduler stretches the page's tasks. BENCH_DASHBOARD_BROWSER_CPUS (e.g. `1`) runs
 * Chromium on those CPUs only and BENCH_DASHBOARD_PIPELINE_CPUS (e.g. `0`) everything else (this
 * process, the query service, and the project's own Kafka and Cassandra, given back all CPUs at the end).
 */
const RATE = Number(process.env.BENCH_DASHBOARD_RATE ?? 5000);
const SECONDS = Number(process.env.BENCH_DASHBOARD_SECONDS ?? 30);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Off (0) for long runs: a trace of 10 minutes would be hundreds of MB. */
const TRACE = process.env.BENCH_DASHBOARD_TRACE !== '0';
/**
 * Memory is sampled after a forced GC, itself a main-thread task of up to 100 ms that the trace counts:
 * 0 turns sampling off, for a trace of the page's own tasks only.
 */
const SAMPLE_MS = Number(process.env.BENCH_DASHBOARD_SAMPLE_S ?? 5) * 1000;
const BROWSER_CPUS = process.env.BENCH_DASHBOARD_BROWSER_CPUS;
const PIPELINE_CPUS = process.env.BENCH_DASHBOARD_PIPELINE_CPUS;
const PORT = '3914';

/** Sets the CPUs of every thread of a process (taskset, util-linux). */
function pin(pid: number, cpuList: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
}

/** The pipeline onto its CPUs and Chromium onto its own; returns what undoes the pipeline's part. */
function pinProcesses(): () => void {
  if (!BROWSER_CPUS || !PIPELINE_CPUS) return () => undefined;
  const infra = new LocalInfra();
  const pids = [process.pid, infra.kafka.process.pid(), infra.cassandra.process.pid()].filter(
    (p): p is number => p !== undefined,
  );
  for (const pid of pids) pin(pid, PIPELINE_CPUS);
  // Chromium through a wrapper, so the browser and every process it starts stay on their CPUs.
  const wrapper = join(tmpdir(), `reeltime-chromium-${process.pid}.sh`);
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  writeFileSync(wrapper, `#!/bin/sh\nexec taskset -c ${BROWSER_CPUS} ${chromium} "$@"\n`);
  chmodSync(wrapper, 0o755);
  process.env.CHROMIUM_PATH = wrapper;
  process.stderr.write(`pinned: Chromium to CPUs ${BROWSER_CPUS}; pids ${pids.join(', ')} to ${PIPELINE_CPUS}\n`);
  return () => {
    for (const pid of pids) pin(pid, `0-${cpus().length - 1}`);
  };
}
const NAME = 'Bench Bea';

const TRACE_CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', '__metadata'];

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * The page's main-thread tasks from a Chromium trace: each with its wall time and its thread (CPU)
 * time. On two cores shared with Kafka, Cassandra, the query service and the feeder, the scheduler
 * stretches a task's wall time while the page's own work is its CPU time: both are reported.
 */
function mainThreadTasks(trace: Buffer): Array<{ wallMs: number; cpuMs: number }> {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) throw new Error('the trace has no renderer main thread');
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X');
  // DevTools' RunTask where the trace has it, otherwise the scheduler's own top-level task event.
  const name = onMain.some((e) => e.name === 'RunTask') ? 'RunTask' : 'ThreadControllerImpl::RunTask';
  // Where the main thread's time goes, by trace event (nested events are counted in each of theirs).
  const byName = new Map<string, number>();
  for (const e of onMain) if (e.name !== name) byName.set(e.name, (byName.get(e.name) ?? 0) + (e.dur ?? 0) / 1000);
  const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 16);
  process.stderr.write(
    `main thread by trace event (ms): ${top.map(([n, ms]) => `${n} ${Math.round(ms)}`).join(', ')}\n`,
  );
  return onMain
    .filter((e) => e.name === name)
    .map((e) => ({ wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? e.dur ?? 0) / 1000 }));
}

export async function run(): Promise<BenchResult> {
  const unpin = pinProcesses();
  // Whatever fails from here on, Kafka and Cassandra get their CPUs back (a failed launch of Chromium
  // once left them pinned to one core for the benchmarks that came after).
  try {
    return await measureRuns();
  } finally {
    unpin();
  }
}

async function measureRuns(): Promise<BenchResult> {
  const browser = await launchChromium();
  const env: Env = benchNamespace('dash', { QUERY_PORT: PORT, QUERY_FEED_INTERVAL_MS: '50' });
  const { config, kafka, producer } = await openStatsNamespace(env).catch(async (err: unknown) => {
    await browser.close();
    throw err;
  });
  const child = await startQuery(env, PORT).catch(async (err: unknown) => {
    await browser.close();
    await producer.disconnect();
    await removeBenchNamespace(kafka, config);
    throw err;
  });
  const runs: Array<Record<string, number>> = [];
  try {
    for (let r = 0; r < RUNS; r++) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(`http://127.0.0.1:${PORT}/#/user/${encodeURIComponent(NAME)}`);
      await page.waitForSelector('#connection.on');
      await page.click('#series-7d');
      await page.evaluate(() => {
        const w = window as unknown as { longTasks: Array<{ start: number; ms: number }> };
        w.longTasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, ms: e.duration });
        }).observe({ type: 'longtask' });
      });
      if (TRACE) await browser.startTracing(page, { categories: TRACE_CATEGORIES });
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      // BENCH_DASHBOARD_CPU_PROFILE=<file>: a V8 CPU profile of the page over the run (what its tasks spend time on).
      const profileTo = process.env.BENCH_DASHBOARD_CPU_PROFILE;
      if (profileTo) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      /** When, in the page's clock, each forced GC ran: the long tasks they make are the benchmark's own. */
      const forcedGcs: Array<{ from: number; to: number }> = [];
      const pageNow = () => page.evaluate(() => performance.now());
      const memory = async () => {
        const from = await pageNow();
        await cdp.send('HeapProfiler.collectGarbage');
        forcedGcs.push({ from, to: await pageNow() });
        const { metrics } = await cdp.send('Performance.getMetrics');
        const m = (n: string) => metrics.find((x) => x.name === n)?.value ?? 0;
        return { heapMiB: m('JSHeapUsedSize') / 1048576, nodes: m('Nodes') };
      };
      const start = Date.now();
      let sent = 0;
      let tick = 0;
      const heaps: number[] = [];
      const nodes: number[] = [];
      let nextSample = SAMPLE_MS > 0 ? start + SAMPLE_MS : Infinity;
      while (Date.now() - start < SECONDS * 1000) {
        const due = start + tick * 100;
        if (due > Date.now()) await sleep(due - Date.now());
        const now = Date.now();
        const messages = Array.from({ length: RATE / 10 }, (_, i) => {
          const name = `feeder ${i % 997}`;
          const rating = { id: randomUUID(), name, movie: `Film ${(tick + i) % 500}`, rating: 1 + (i % 10), time: now };
          return { key: name, value: encodeRatingEvent(rating) };
        });
        await producer.send({ topic: config.kafka.topics.ratings, messages });
        sent += messages.length;
        tick++;
        const stats: HourlyStats = {
          name: NAME,
          hour: new Date(hourStart(now)).toISOString(),
          count: tick,
          sum: 7 * tick,
          average: 7,
          min: 7,
          max: 7,
          histogram: [0, 0, 0, 0, 0, 0, tick, 0, 0, 0],
          updatedAt: new Date(now).toISOString(),
        };
        await producer.send({
          topic: config.kafka.topics.stats,
          messages: [{ key: NAME, value: JSON.stringify(stats) }],
        });
        if (Date.now() >= nextSample) {
          nextSample += SAMPLE_MS;
          const m = await memory();
          heaps.push(m.heapMiB);
          nodes.push(m.nodes);
          process.stderr.write(
            `  ${Math.round((Date.now() - start) / 1000)} s: heap ${m.heapMiB.toFixed(2)} MiB, ${m.nodes} DOM nodes\n`,
          );
        }
      }
      const seconds = (Date.now() - start) / 1000;
      if (profileTo) {
        const { profile } = await cdp.send('Profiler.stop');
        writeFileSync(profileTo, JSON.stringify(profile));
      }
      const observed = await page.evaluate(
        () => (window as unknown as { longTasks: Array<{ start: number; ms: number }> }).longTasks,
      );
      // A long task that overlaps a forced GC is (or includes) the benchmark's own collection.
      const byGc = (t: { start: number; ms: number }) =>
        forcedGcs.some((gc) => t.start <= gc.to && t.start + t.ms >= gc.from);
      const longTasks = observed.filter((t) => !byGc(t)).map((t) => t.ms);
      if (observed.length)
        process.stderr.write(
          `long tasks (ms, * = during a forced GC): ${observed.map((t) => `${Math.round(t.ms)}${byGc(t) ? '*' : ''}`).join(' ')}\n`,
        );
      const tasks = TRACE ? mainThreadTasks(await browser.stopTracing()) : [];
      const frames = await page.evaluate(
        () =>
          (window as unknown as { reeltimeFrames: { frames: number; totalMs: number; maxMs: number } }).reeltimeFrames,
      );
      const slowest = await page.evaluate(() => (window as unknown as { reeltimeSlowest: unknown }).reeltimeSlowest);
      process.stderr.write(`slowest render of each part (ms): ${JSON.stringify(slowest)}\n`);
      const draws = await page.evaluate(
        () => (window as unknown as { reeltimeDraws: { count: number; totalMs: number } }).reeltimeDraws,
      );
      runs.push({
        'ratings/s sent': Math.round(sent / seconds),
        'long tasks': longTasks.length,
        'long tasks during forced GCs (left out)': observed.length - longTasks.length,
        'longest task ms': Math.round(Math.max(0, ...longTasks)),
        ...(TRACE
          ? {
              'trace: tasks >= 50 ms': tasks.filter((t) => t.wallMs >= 50).length,
              'trace: longest task ms': Math.round(Math.max(0, ...tasks.map((t) => t.wallMs))),
              'trace: tasks >= 50 ms on CPU': tasks.filter((t) => t.cpuMs >= 50).length,
              'trace: longest task on CPU ms': Math.round(Math.max(0, ...tasks.map((t) => t.cpuMs))),
            }
          : {}),
        'render ms per s': Math.round(frames.totalMs / seconds),
        'longest render ms': Math.round(frames.maxMs),
        'chart redraws': draws.count,
        'chart redraw mean ms': Math.round((draws.totalMs / Math.max(1, draws.count)) * 10) / 10,
        ...(heaps.length
          ? {
              'heap first MiB': Math.round(heaps[0] * 10) / 10,
              'heap last MiB': Math.round(heaps[heaps.length - 1] * 10) / 10,
              'heap max MiB': Math.round(Math.max(...heaps) * 10) / 10,
              'heap growth MiB': Math.round((heaps[heaps.length - 1] - heaps[0]) * 10) / 10,
              'DOM nodes max - min': Math.max(...nodes) - Math.min(...nodes),
            }
          : {}),
      });
      process.stderr.write(`run ${r + 1}: ${JSON.stringify(runs[runs.length - 1])}\n`);
      await page.close();
    }
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    await producer.disconnect();
    await removeBenchNamespace(kafka, config);
  }
  return {
    name: 'dashboard under a fast feed',
    method: `Chromium on the dashboard (7 d chart) of the compiled query service, ${RATE} ratings/s on the ratings topic for ${SECONDS} s (feed every 50 ms) and the watched user's stats 10 times a second; ${RUNS} runs, medians${BROWSER_CPUS && PIPELINE_CPUS ? `; Chromium on CPUs ${BROWSER_CPUS}, the pipeline on ${PIPELINE_CPUS}` : ''}. Heap growth after a forced GC, first to last ${SAMPLE_MS / 1000} s sample. Long tasks from the page's PerformanceObserver (wall time; those overlapping a forced GC left out) and${TRACE ? '' : ' (off for this run)'} from a Chromium trace of the renderer's main thread (wall and thread CPU time).`,
    figures: medianOfRuns(runs),
    runs,
    targets: { 'long tasks': '0', 'longest task ms': '< 50', 'trace: tasks >= 50 ms on CPU': '0' },
  };
}

runIfMain(module, run);
