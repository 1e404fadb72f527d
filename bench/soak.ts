import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { dropKeyspace, migrate } from '@reeltime/cassandra';
import { AppConfig, Env, configFromEnvironment } from '@reeltime/config';
import { HOUR_MS, HourlyStats, hourStart } from '@reeltime/contracts';
import { KafkaConnection } from '@reeltime/kafka';
import { sleep } from '@reeltime/runtime';
import { Socket, io } from 'socket.io-client';
import { SERVICE_NODE_ARGS } from '../tools/launcher/build';
import { benchNamespace, BenchResult, cpuSeconds, infraPid, percentile, round, rssMiB, runIfMain } from './lib';

/**
 * Soak: the three compiled services as processes, with their default settings (BATCH_INTERVAL_MS 30 s),
 * the producer service generating RATE ratings/s from USERS viewers by itself, SOCKETS socket.io clients
 * on /live each subscribed to one of the users it rates, and REST_RATE requests/s over the routes a
 * dashboard user hits, for MINUTES. Every 10 s: the RSS and CPU of every process (the services, Kafka,
 * Cassandra), the consumer group's lag, and the consumer's heap and stats cache size. Reports RSS growth
 * over the last two-thirds of the run (the last 20 of 30 minutes), the largest lag against two batches,
 * p99 REST and push latency per slice, and the ERROR lines each service logged; draws them over time in
 * <dir>/soak.svg. Run `npm run build` first.
 *
 * BENCH_SOAK_MINUTES (30) and BENCH_SOAK_SLICE_MINUTES (5): a smoke run is `BENCH_SOAK_MINUTES=2
 * BENCH_SOAK_SLICE_MINUTES=1`. BENCH_SOAK_RATE (5000), BENCH_SOAK_USERS (10000), BENCH_SOAK_SOCKETS (200),
 * BENCH_SOAK_REST_RATE (200). BENCH_SOAK_DIR (bench/results/soak-<stamp>): the services' logs, samples.json, soak.svg.
 */
function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`${name}: expected a positive number, got "${raw}"`);
  return value;
}

const MINUTES = setting('BENCH_SOAK_MINUTES', 30);
const SLICE_MINUTES = setting('BENCH_SOAK_SLICE_MINUTES', 5);
const RATE = setting('BENCH_SOAK_RATE', 5000);
const USERS = setting('BENCH_SOAK_USERS', 10_000);
const SOCKETS = setting('BENCH_SOAK_SOCKETS', 200);
const REST_RATE = setting('BENCH_SOAK_REST_RATE', 200);
const SAMPLE_MS = 10_000;
/** A REST request that has no answer by then counts as failed (with this latency). */
const REST_TIMEOUT_MS = 10_000;
const ROOT = resolve(__dirname, '..');
const PORTS = { query: 3920, producer: 3921, consumer: 3922 } as const;
type App = keyof typeof PORTS;
/** Stop order of `npm start`: nothing new is produced while the consumer makes its last flush. */
const APPS: App[] = ['producer', 'consumer', 'query'];
const PROCESSES = [...APPS, 'kafka', 'cassandra'] as const;
type ProcessName = (typeof PROCESSES)[number];

interface Service {
  app: App;
  child: ChildProcess;
  exited: Promise<void>;
  logs: string[];
}

function startService(app: App, env: Env, dir: string): Service {
  const logs = [join(dir, `${app}.log`), join(dir, `${app}.stderr.log`)];
  // Truncated: a reused BENCH_SOAK_DIR must not count an earlier run's ERROR lines.
  const [out, err] = logs.map((file) => openSync(file, 'w'));
  const child = spawn(process.execPath, [...SERVICE_NODE_ARGS(app), resolve(ROOT, `dist/apps/${app}/src/main.js`)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', out, err],
  });
  // The child holds its own copies of the descriptors.
  closeSync(out);
  closeSync(err);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { app, child, exited, logs };
}

async function ready(service: Service): Promise<void> {
  const port = PORTS[service.app];
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null || service.child.signalCode !== null) {
      throw new Error(`${service.app} exited during start-up; see ${service.logs.join(', ')}`);
    }
    const status = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.status,
      () => 0, // not listening yet
    );
    // Pushes reach sockets only once the query service's stats subscription has joined its group.
    if (status === 200 && service.app !== 'query') return;
    if (status === 200) {
      const system = (await fetch(`http://127.0.0.1:${port}/api/system`)
        .then((r) => r.json())
        .catch(() => undefined)) as { cache?: { enabled: boolean } } | undefined;
      if (system?.cache?.enabled) return;
    }
    await sleep(500);
  }
  throw new Error(`${service.app} on ${port} was not ready within 120 s`);
}

async function stopService(service: Service): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill('SIGTERM');
  // The consumer may take CONSUMER_SHUTDOWN_TIMEOUT_MS (20 s) + 15 s on its last flush.
  const gone = await Promise.race([service.exited.then(() => true), sleep(60_000).then(() => false)]);
  if (!gone) {
    process.stderr.write(`${service.app} (pid ${service.child.pid}) ignored SIGTERM for 60 s: SIGKILL\n`);
    service.child.kill('SIGKILL');
    await service.exited;
  }
}

interface Sample {
  /** ms since the measurement began (negative: the warm-up before sockets and REST load); epoch ms until then. */
  t: number;
  rssMiB: Partial<Record<ProcessName, number | null>>;
  /** CPU % of one core since the previous sample. */
  cpuPercent: Partial<Record<ProcessName, number | null>>;
  /** Ratings topic end offsets − the consumer group's committed offsets, summed over partitions. */
  lag: number | null;
  /** The benchmark's own process (sockets, REST client): if it is starved, the latencies are its own. */
  client: { cpuPercent: number; rssMiB: number; eventLoopDelayMaxMs: number };
  /** What the consumer's RSS holds, from its /metrics: V8's heap and the stats cache's own estimate. */
  consumer: ConsumerMemory | null;
}

interface ConsumerMemory {
  heapUsedMiB: number;
  statsCacheMiB: number;
  statsCacheEntries: number;
}

async function consumerMemory(): Promise<ConsumerMemory | null> {
  const text = await fetch(`http://127.0.0.1:${PORTS.consumer}/metrics`, { signal: AbortSignal.timeout(5000) })
    .then((r) => r.text())
    .catch(() => undefined);
  if (text === undefined) return null;
  const value = (metric: string): number =>
    Number(new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    heapUsedMiB: round(value('nodejs_heap_size_used_bytes') / 2 ** 20),
    statsCacheMiB: round(value('reeltime_consumer_stats_cache_bytes') / 2 ** 20),
    statsCacheEntries: value('reeltime_consumer_stats_cache_entries'),
  };
}

/** Samples every SAMPLE_MS; the lag from the broker (the consumer's own gauge is refreshed only every 10 s). */
class Sampler {
  readonly samples: Sample[] = [];
  private timer?: NodeJS.Timeout;
  private busy = false;
  private lastCpu = new Map<ProcessName, { at: number; seconds: number }>();
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 20 });
  private lastClient = { at: Date.now(), usage: process.cpuUsage() };

  constructor(
    private readonly pids: Partial<Record<ProcessName, number>>,
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {}

  start(): void {
    this.loopDelay.enable();
    void this.sample();
    this.timer = setInterval(() => void this.sample(), SAMPLE_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.loopDelay.disable();
  }

  private async sample(): Promise<void> {
    if (this.busy) return; // a lag read slower than the period: skip a sample rather than pile them up
    this.busy = true;
    const at = Date.now();
    const rss: Sample['rssMiB'] = {};
    const cpu: Sample['cpuPercent'] = {};
    for (const [name, pid] of Object.entries(this.pids) as Array<[ProcessName, number]>) {
      rss[name] = rssMiB(pid);
      const seconds = cpuSeconds(pid);
      const last = this.lastCpu.get(name);
      cpu[name] = seconds !== null && last ? round(((seconds - last.seconds) * 100_000) / (at - last.at)) : null;
      if (seconds !== null) this.lastCpu.set(name, { at, seconds });
    }
    const lag = await this.kafka
      .lag(this.config.kafka.consumerGroup, this.config.kafka.topics.ratings)
      .then((parts) => parts.reduce((s, p) => s + p.lag, 0))
      .catch(() => null); // the broker was slow to answer: a gap in the series, not a failed run
    const consumer = await consumerMemory();
    const usage = process.cpuUsage();
    const client = {
      cpuPercent: round(
        (usage.user + usage.system - this.lastClient.usage.user - this.lastClient.usage.system) /
          10 /
          (at - this.lastClient.at),
      ),
      rssMiB: round(process.memoryUsage.rss() / 2 ** 20),
      eventLoopDelayMaxMs: round(this.loopDelay.max / 1e6),
    };
    this.lastClient = { at, usage };
    this.loopDelay.reset();
    this.samples.push({ t: at, rssMiB: rss, cpuPercent: cpu, lag, client, consumer });
    this.busy = false;
  }
}

/** A latency with when it was measured (epoch ms, then ms since the measurement began). */
interface Timed {
  t: number;
  ms: number;
}

interface RestRecord extends Timed {
  route: string;
  /** HTTP status; 0: no answer (refused, reset, or REST_TIMEOUT_MS passed). */
  status: number;
  /** Why there was no answer (the error's name, or its cause's code). */
  error?: string;
}

type Route = { label: string; weight: number; path: (name: string, hour: number) => string };

const iso = (ms: number) => new Date(ms).toISOString();
const user = (name: string, hour: number) => `/api/users/${encodeURIComponent(name)}/hours/${iso(hour)}`;
/** What a dashboard user's page and the users list ask for, mostly about the current hour. */
const ROUTES: Route[] = [
  { label: 'stats', weight: 25, path: (n, h) => `${user(n, h)}/stats` },
  { label: 'average', weight: 15, path: (n, h) => `${user(n, h)}/average` },
  { label: 'movies', weight: 15, path: (n, h) => `${user(n, h)}/movies` },
  {
    label: 'hours (24 h)',
    weight: 15,
    path: (n, h) => `/api/users/${encodeURIComponent(n)}/hours?from=${iso(h - 23 * HOUR_MS)}&to=${iso(h)}`,
  },
  { label: 'users of the hour', weight: 10, path: (_n, h) => `/api/hours/${iso(h)}/users?withStats=true&limit=50` },
  { label: 'trending 10m', weight: 10, path: () => '/api/movies/trending?window=10m' },
  { label: 'trending 1h', weight: 10, path: () => '/api/movies/trending?window=1h' },
];
const TOTAL_WEIGHT = ROUTES.reduce((s, r) => s + r.weight, 0);

/**
 * Open-loop REST load: requests leave on a fixed schedule whether or not earlier ones were answered, so
 * a slow service shows as latency instead of a lower request rate.
 */
class RestLoad {
  readonly records: RestRecord[] = [];
  private timer?: NodeJS.Timeout;
  private sent = 0;
  private startedAt = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly users: string[]) {}

  start(): void {
    this.startedAt = performance.now();
    this.timer = setInterval(() => {
      const due = Math.floor(((performance.now() - this.startedAt) * REST_RATE) / 1000);
      while (this.sent < due) this.fire();
    }, 5);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
  }

  private fire(): void {
    this.sent += 1;
    let pick = Math.random() * TOTAL_WEIGHT;
    const route = ROUTES.find((r) => (pick -= r.weight) < 0) ?? ROUTES[0];
    const name = this.users[Math.floor(Math.random() * this.users.length)];
    const t = Date.now();
    const at = performance.now();
    const done = fetch(`http://127.0.0.1:${PORTS.query}${route.path(name, hourStart(Date.now()))}`, {
      signal: AbortSignal.timeout(REST_TIMEOUT_MS),
    })
      .then(async (res) => {
        await res.arrayBuffer(); // the answer is whole, and the connection free for the next request
        return { status: res.status };
      })
      .catch((err: Error & { cause?: { code?: string } }) => ({ status: 0, error: err.cause?.code ?? err.name }))
      .then((answer) => {
        this.records.push({ t, ms: performance.now() - at, route: route.label, ...answer });
        this.inFlight.delete(done);
      });
    this.inFlight.add(done);
  }
}

/** The first page (up to 1,000) of users the query service lists for the current hour, once it has SOCKETS. */
async function activeUsers(deadlineMs: number): Promise<string[]> {
  const deadline = Date.now() + deadlineMs;
  let seen = 0;
  while (Date.now() < deadline) {
    const res = await fetch(`http://127.0.0.1:${PORTS.query}/api/hours/${iso(hourStart(Date.now()))}/users?limit=1000`);
    if (res.status === 200) {
      const { users } = (await res.json()) as { users: string[] };
      seen = users.length;
      if (users.length >= Math.min(SOCKETS, USERS)) return users;
    }
    await sleep(2000);
  }
  throw new Error(`only ${seen} users listed for the current hour after ${deadlineMs / 1000} s`);
}

/** SOCKETS sockets, the i-th subscribed to the i-th of `names` (spread over the list); pushes recorded. */
async function connectSockets(names: string[], onPush: (stats: HourlyStats) => void): Promise<Socket[]> {
  const sockets: Socket[] = [];
  const step = names.length / SOCKETS;
  for (let start = 0; start < SOCKETS; start += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, SOCKETS - start) }, async (_, k) => {
        const name = names[Math.floor((start + k) * step) % names.length];
        const socket = io(`http://127.0.0.1:${PORTS.query}/live`, { transports: ['websocket'], forceNew: true });
        await new Promise<void>((ok, fail) => {
          socket.once('connect', () => ok());
          socket.once('connect_error', fail);
        });
        socket.on('stats', onPush);
        const ack = (await socket.emitWithAck('subscribe', { name })) as { ok: boolean };
        if (!ack.ok) throw new Error(`subscribe ${JSON.stringify(name)} failed: ${JSON.stringify(ack)}`);
        return socket;
      }),
    );
    sockets.push(...batch);
  }
  return sockets;
}

async function metricsText(app: App): Promise<string> {
  return fetch(`http://127.0.0.1:${PORTS[app]}/metrics`).then((r) => r.text());
}

/** The sum of a metric's series whose labels contain `labels` (e.g. `outcome="written"`). */
function metricSum(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith(' ') || rest.startsWith('{'))) continue; // another metric with this prefix
    if (labels && !rest.includes(labels)) continue;
    sum += Number(rest.slice(rest.lastIndexOf(' ') + 1));
  }
  return sum;
}

interface LogCount {
  /** pino level ≥ 50 (error, fatal). */
  errors: number;
  examples: string[];
  /** stderr lines that are not JSON log entries (Node warnings, a crash's stack). */
  other: string[];
}

function countErrors(service: Service): LogCount {
  const out: LogCount = { errors: 0, examples: [], other: [] };
  for (const file of service.logs) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let entry: { level?: unknown; msg?: unknown; err?: unknown } | undefined;
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        if (out.other.length < 20) out.other.push(line.slice(0, 300));
        continue;
      }
      const level = entry?.level;
      if ((typeof level === 'number' && level >= 50) || level === 'error' || level === 'fatal') {
        out.errors += 1;
        if (out.examples.length < 5) out.examples.push(line.slice(0, 500));
      }
    }
  }
  return out;
}

/** RSS growth (%) over [from, to] of a least-squares line through the samples: GC sawtooth does not decide it. */
function growthPercent(points: Array<{ t: number; v: number }>, from: number, to: number): number {
  const inWindow = points.filter((p) => p.t >= from && p.t <= to);
  if (inWindow.length < 2) return NaN;
  const n = inWindow.length;
  const mt = inWindow.reduce((s, p) => s + p.t, 0) / n;
  const mv = inWindow.reduce((s, p) => s + p.v, 0) / n;
  const cov = inWindow.reduce((s, p) => s + (p.t - mt) * (p.v - mv), 0);
  const vt = inWindow.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  const slope = vt ? cov / vt : 0;
  const start = mv + slope * (from - mt);
  return start > 0 ? (slope * (to - from) * 100) / start : NaN;
}

/** p99 of the latencies in each bin of `binMs` from 0 to `endMs`, placed at the bin's middle. */
function binnedP99(records: Timed[], binMs: number, endMs: number): Array<{ t: number; p99: number; n: number }> {
  const bins: number[][] = Array.from({ length: Math.ceil(endMs / binMs) }, () => []);
  for (const r of records) {
    const i = Math.floor(r.t / binMs);
    if (i >= 0 && i < bins.length) bins[i].push(r.ms);
  }
  return bins.map((ms, i) => ({ t: (i + 0.5) * binMs, p99: percentile(ms, 99), n: ms.length }));
}

// ---- the plot ----

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function niceCeiling(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.25 };
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  const step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * power;
  return { top: Math.ceil(max / step) * step, step };
}

const short = (n: number) =>
  n >= 1e6 ? `${round(n / 1e6, 2)}M` : n >= 1e4 ? `${round(n / 1e3, 1)}k` : String(round(n, n < 10 ? 2 : 0));
const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Series {
  label: string;
  points: Array<{ x: number; y: number | null }>;
  dashed?: boolean;
}

interface Panel {
  title: string;
  unit: string;
  series: Series[];
  /** x range to shade (e.g. the window the RSS growth is taken over). */
  shade?: [number, number];
  height?: number;
}

/** Stacked panels over a shared x axis (minutes); gaps where a value is null. */
function renderSvg(title: string, panels: Panel[], xMin: number, xMax: number): string {
  const width = 960;
  const left = 70;
  const right = 190;
  const gap = 60;
  const top = 50;
  const plotWidth = width - left - right;
  const heightOf = (panel: Panel) => panel.height ?? 200;
  const height = top + panels.reduce((s, p) => s + heightOf(p) + gap, 0) + 10;
  const x = (v: number) => left + ((v - xMin) / (xMax - xMin || 1)) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="24" font-size="15" font-weight="bold">${xml(title)}</text>`,
  ];
  const xStep = niceCeiling(xMax - xMin).step;
  let y0 = top + 20 - gap;
  panels.forEach((panel, k) => {
    y0 += k === 0 ? gap : heightOf(panels[k - 1]) + gap;
    const panelHeight = heightOf(panel);
    const values = panel.series.flatMap((s) => s.points.map((p) => p.y).filter((v): v is number => v !== null));
    // Headroom, so a line at the top value (the lag bound) is not hidden by the frame.
    const { top: yTop, step } = niceCeiling(1.05 * Math.max(0, ...values.filter(Number.isFinite)));
    const y = (v: number) => y0 + panelHeight - (v / yTop) * panelHeight;
    parts.push(`<text x="${left}" y="${y0 - 8}" font-weight="bold">${xml(`${panel.title} (${panel.unit})`)}</text>`);
    if (panel.shade) {
      const [a, b] = panel.shade.map((v) => Math.min(Math.max(v, xMin), xMax));
      parts.push(`<rect x="${x(a)}" y="${y0}" width="${x(b) - x(a)}" height="${panelHeight}" fill="#f2f2f2"/>`);
    }
    for (let v = 0; v <= yTop + step / 2; v += step) {
      parts.push(
        `<line x1="${left}" x2="${left + plotWidth}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
        `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${short(v)}</text>`,
      );
    }
    for (let v = Math.ceil(xMin / xStep) * xStep; v <= xMax + 1e-9; v += xStep) {
      parts.push(
        `<line x1="${x(v)}" x2="${x(v)}" y1="${y0}" y2="${y0 + panelHeight}" stroke="${v === 0 ? '#888' : '#eee'}"/>`,
        `<text x="${x(v)}" y="${y0 + panelHeight + 16}" text-anchor="middle">${round(v, 2)}</text>`,
      );
    }
    parts.push(
      `<rect x="${left}" y="${y0}" width="${plotWidth}" height="${panelHeight}" fill="none" stroke="#444"/>`,
      `<text x="${left + plotWidth / 2}" y="${y0 + panelHeight + 32}" text-anchor="middle">minutes since sockets and REST load started</text>`,
    );
    panel.series.forEach((series, i) => {
      const colour = COLOURS[i % COLOURS.length];
      let d = '';
      let pen = 'M';
      for (const p of series.points) {
        if (p.y === null || !Number.isFinite(p.y)) {
          pen = 'M';
          continue;
        }
        d += `${pen}${round(x(p.x), 1)},${round(y(p.y), 1)} `;
        pen = 'L';
      }
      const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
      if (d) parts.push(`<path d="${d.trim()}" fill="none" stroke="${colour}" stroke-width="1.5"${dash}/>`);
      const ly = y0 + 10 + i * 18;
      parts.push(
        `<line x1="${left + plotWidth + 12}" x2="${left + plotWidth + 36}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"${dash}/>`,
        `<text x="${left + plotWidth + 42}" y="${ly + 4}">${xml(series.label)}</text>`,
      );
    });
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

// ---- the run ----

export async function run(): Promise<BenchResult> {
  const stamp = new Date().toISOString().replace(/[:]/g, '-').replace(/\..+/, 'Z');
  const dir = resolve(process.env.BENCH_SOAK_DIR ?? join(__dirname, 'results', `soak-${stamp}`));
  mkdirSync(dir, { recursive: true });
  const env: Env = benchNamespace('soak', {
    QUERY_PORT: String(PORTS.query),
    PRODUCER_PORT: String(PORTS.producer),
    CONSUMER_PORT: String(PORTS.consumer),
    LOG_LEVEL: 'info',
    PRODUCER_AUTOSTART: 'true',
    PRODUCER_RATE: String(RATE),
    PRODUCER_MAX_RATE: String(Math.max(5000, RATE)),
    PRODUCER_USERS: String(USERS),
    QUERY_PRODUCER_URL: `http://127.0.0.1:${PORTS.producer}`,
    // Every socket and request comes from one address, the benchmark's.
    QUERY_RATE_LIMIT: '0',
    QUERY_LIVE_RATE_LIMIT: '0',
  });
  const config = configFromEnvironment(env);
  // A batch closes at BATCH_INTERVAL_MS or BATCH_MAX_RECORDS, whichever comes first at this rate.
  const batchMessages = Math.min((RATE * config.batch.intervalMs) / 1000, config.batch.maxRecords);
  const lagBound = 2 * batchMessages;
  const durationMs = MINUTES * 60_000;
  const sliceMs = SLICE_MINUTES * 60_000;
  // Per minute over 30 minutes; finer for a short run, so a smoke run still draws a curve.
  const binMs = Math.max(10_000, Math.min(60_000, durationMs / 30));
  const growthFrom = durationMs / 3;

  let measureStart = NaN;
  const services: Service[] = [];
  let load: RestLoad | undefined;
  const pushes: Timed[] = [];
  let sockets: Socket[] = [];
  let sampler: Sampler | undefined;
  let users: string[] = [];
  const totals: Record<string, number> = {};
  let failure: Error | undefined;

  process.stderr.write(`soak: ${MINUTES} min at ${RATE} ratings/s from ${USERS} users; logs and plot in ${dir}\n`);
  await migrate(config.cassandra, resolve(ROOT, 'cql'));
  const kafka = new KafkaConnection(config);
  try {
    await kafka.ensureTopics(Object.values(config.kafka.topics));
    // The producer last: the consumer reads from the beginning anyway, but the warm-up is then the pipeline's alone.
    for (const app of ['consumer', 'query'] as const) services.push(startService(app, env, dir));
    await Promise.all(services.map(ready));
    const producer = startService('producer', env, dir);
    services.unshift(producer);
    await ready(producer);
    const loadStart = Date.now();
    const pids: Partial<Record<ProcessName, number>> = {};
    for (const s of services) pids[s.app] = s.child.pid;
    for (const name of ['kafka', 'cassandra'] as const) {
      const pid = infraPid(name);
      if (pid) pids[name] = pid;
      else process.stderr.write(`no local ${name} process found (.infra/${name}.pid): its RSS is not sampled\n`);
    }
    sampler = new Sampler(pids, kafka, config);
    sampler.start();

    users = await activeUsers(config.batch.intervalMs + 90_000);
    process.stderr.write(
      `${users.length} users listed ${round((Date.now() - loadStart) / 1000)} s after the load began\n`,
    );
    sockets = await connectSockets(users, (s) =>
      pushes.push({ t: Date.now(), ms: Date.now() - Date.parse(s.updatedAt) }),
    );
    load = new RestLoad(users);
    measureStart = Date.now();
    const warmUp = measureStart - loadStart;
    pushes.length = 0; // the subscribes' own burst belongs to the warm-up
    load.start();
    process.stderr.write(
      `${sockets.length} sockets subscribed, REST load at ${REST_RATE}/s; measuring for ${MINUTES} min (warm-up took ${round(warmUp / 1000)} s)\n`,
    );

    let lastReport = Date.now();
    while (Date.now() - measureStart < durationMs) {
      await sleep(1000);
      const dead = services.find((s) => s.child.exitCode !== null || s.child.signalCode !== null);
      if (dead) {
        throw new Error(
          `${dead.app} exited (code ${dead.child.exitCode}, signal ${dead.child.signalCode}) ` +
            `${round((Date.now() - measureStart) / 60_000)} min into the soak; see ${dead.logs.join(', ')}`,
        );
      }
      if (Date.now() - lastReport >= 60_000) {
        lastReport = Date.now();
        const last = sampler.samples[sampler.samples.length - 1];
        const recent = load.records.filter((r) => r.t > lastReport - 60_000).map((r) => r.ms);
        const recentPush = pushes.filter((p) => p.t > lastReport - 60_000).map((p) => p.ms);
        process.stderr.write(
          `  ${round((Date.now() - measureStart) / 60_000)} min: lag ${last?.lag ?? '?'}, RSS ${JSON.stringify(last?.rssMiB)}, ` +
            `CPU % ${JSON.stringify(last?.cpuPercent)}, client ${JSON.stringify(last?.client)}, ` +
            `consumer memory ${JSON.stringify(last?.consumer)}, ` +
            `last minute p99 REST ${round(percentile(recent, 99), 0)} ms (${recent.length}), push ${round(percentile(recentPush, 99), 0)} ms (${recentPush.length})\n`,
        );
      }
    }
    sampler.stop();
    await load.stop();
    for (const s of sockets) s.disconnect();
    sockets = [];

    // What was produced, and whether the consumer wrote all of it once the producer stopped.
    const stopped = (await fetch(`http://127.0.0.1:${PORTS.producer}/producer/stop`, { method: 'POST' }).then((r) =>
      r.json(),
    )) as { sent: number };
    totals['ratings produced'] = stopped.sent;
    const drainDeadline = Date.now() + config.batch.intervalMs + 60_000;
    let lag = -1;
    while (Date.now() < drainDeadline) {
      const parts = await kafka.lag(config.kafka.consumerGroup, config.kafka.topics.ratings);
      lag = parts.reduce((s, p) => s + p.lag, 0);
      if (lag === 0) break;
      await sleep(1000);
    }
    const consumerMetrics = await metricsText('consumer');
    totals['ratings written'] = metricSum(consumerMetrics, 'reeltime_consumer_records_total', 'outcome="written"');
    totals['dead letters'] = metricSum(consumerMetrics, 'reeltime_consumer_records_total', 'outcome="dead_letter"');
    totals['lag after the producer stopped'] = lag;
    totals.flushes = metricSum(consumerMetrics, 'reeltime_consumer_batch_messages_count');
    totals['batch messages (mean)'] = round(
      metricSum(consumerMetrics, 'reeltime_consumer_batch_messages_sum') / (totals.flushes || NaN),
      0,
    );
    totals['flush failures'] = metricSum(consumerMetrics, 'reeltime_consumer_flush_failures_total');
  } catch (err) {
    failure = err as Error; // thrown once the services are stopped and what was gathered is written
  } finally {
    sampler?.stop();
    await load?.stop();
    for (const s of sockets) s.disconnect();
    for (const s of services) await stopService(s).catch((err: unknown) => process.stderr.write(`${String(err)}\n`));
    await cleanUp(kafka, config).catch((err: unknown) =>
      process.stderr.write(`could not remove the bench namespace: ${String(err)}\n`),
    );
  }

  // From here on, times are ms since the measurement began.
  const toRelative = (list: Array<{ t: number }>) => list.forEach((x) => (x.t -= measureStart));
  const samples = sampler?.samples ?? [];
  const rest = load?.records ?? [];
  if (Number.isNaN(measureStart)) measureStart = samples[0]?.t ?? Date.now(); // failed during the warm-up
  for (const list of [samples, rest, pushes]) toRelative(list);
  const logCounts = Object.fromEntries(services.map((s) => [s.app, countErrors(s)])) as Partial<Record<App, LogCount>>;
  for (const [app, count] of Object.entries(logCounts)) {
    for (const line of count.examples) process.stderr.write(`${app} ERROR: ${line}\n`);
    for (const line of count.other) process.stderr.write(`${app} stderr: ${line}\n`);
  }

  const measured = samples.filter((s) => s.t >= 0 && s.t <= durationMs);
  const restBins = binnedP99(rest, binMs, durationMs);
  const pushBins = binnedP99(pushes, binMs, durationMs);
  const slices = Array.from({ length: Math.ceil(durationMs / sliceMs) }, (_, i) => {
    const from = i * sliceMs;
    const to = Math.min(durationMs, from + sliceMs);
    const within = <T extends Timed>(list: T[]) => list.filter((r) => r.t >= from && r.t < to);
    const restIn = within(rest);
    return {
      label: `${round(from / 60_000, 2)}–${round(to / 60_000, 2)} min`,
      restP99: percentile(
        restIn.map((r) => r.ms),
        99,
      ),
      restFailed: restIn.filter((r) => r.status === 0 || r.status >= 400).length,
      restCount: restIn.length,
      pushP99: percentile(
        within(pushes).map((r) => r.ms),
        99,
      ),
      pushCount: within(pushes).length,
    };
  });
  const byRoute = Object.fromEntries(
    ROUTES.map((r) => {
      const ms = rest.filter((x) => x.route === r.label).map((x) => x.ms);
      return [r.label, { count: ms.length, p50: round(percentile(ms, 50)), p99: round(percentile(ms, 99)) }];
    }),
  );
  const statuses: Record<string, number> = {};
  for (const r of rest) {
    const key = r.status ? String(r.status) : `no answer: ${r.error}`;
    statuses[key] = (statuses[key] ?? 0) + 1;
  }

  const series = (name: ProcessName) =>
    measured.map((s) => ({ t: s.t, v: s.rssMiB[name] })).filter((p): p is { t: number; v: number } => p.v != null);
  const processes = PROCESSES.filter((p) => samples.some((s) => s.rssMiB[p] != null));

  const figures: Record<string, number | string> = {};
  const targets: Record<string, string> = {};
  const growthLabel = `${round((durationMs - growthFrom) / 60_000, 1)} min`;
  for (const p of processes) {
    const key = `${p} RSS growth, last ${growthLabel} (%)`;
    figures[key] = round(growthPercent(series(p), growthFrom, durationMs));
    targets[key] = '≤ 10 %';
  }
  for (const p of processes) {
    const last = series(p).at(-1);
    figures[`${p} RSS at the end (MiB)`] = last ? last.v : NaN;
  }
  const lags = measured.map((s) => s.lag).filter((v): v is number => v !== null);
  figures['max lag (messages)'] = lags.length ? Math.max(...lags) : NaN;
  targets['max lag (messages)'] = `≤ 2 batches (${lagBound})`;
  figures['lag bound: 2 batches (messages)'] = lagBound;
  figures['lag samples above the bound'] = lags.filter((v) => v > lagBound).length;
  targets['lag samples above the bound'] = '0';
  const warmUpLags = samples.filter((s) => s.t < 0 && s.lag !== null).map((s) => s.lag as number);
  figures['max lag during the warm-up (messages)'] = warmUpLags.length ? Math.max(...warmUpLags) : NaN;
  for (const [i, s] of slices.entries()) {
    figures[`p99 REST ms, slice ${i + 1} (${s.label})`] = round(s.restP99, 0);
  }
  for (const [i, s] of slices.entries()) {
    figures[`p99 push ms, slice ${i + 1} (${s.label})`] = round(s.pushP99, 0);
  }
  figures['REST requests'] = rest.length;
  figures['REST requests/s (achieved)'] = round(rest.length / (durationMs / 1000));
  figures['REST failed (no answer or ≥ 400)'] = rest.filter((r) => r.status === 0 || r.status >= 400).length;
  figures['stats pushes received'] = pushes.length;
  const clients = measured.map((s) => s.client);
  figures['client CPU %, mean'] = round(clients.reduce((s, c) => s + c.cpuPercent, 0) / clients.length);
  figures['client event-loop delay, max (ms)'] = Math.max(...clients.map((c) => c.eventLoopDelayMaxMs));
  for (const app of APPS) {
    const key = `${app} ERROR log lines`;
    figures[key] = logCounts[app]?.errors ?? NaN;
    targets[key] = '0';
  }
  for (const [k, v] of Object.entries(totals)) figures[k] = v;

  const minutes = (t: number) => t / 60_000;
  const svgPath = join(dir, 'soak.svg');
  writeFileSync(
    svgPath,
    renderSvg(
      `reeltime soak: ${RATE} ratings/s from ${USERS} users, ${SOCKETS} sockets, ${REST_RATE} REST req/s, ${MINUTES} min`,
      [
        {
          title: `RSS per process, every ${SAMPLE_MS / 1000} s; shaded: the window of the growth figure`,
          unit: 'MiB',
          height: 320, // the services' few hundred MiB under Cassandra's 1.5 GiB
          shade: [minutes(growthFrom), MINUTES],
          series: processes.map((p) => ({
            label: p,
            points: samples.map((s) => ({ x: minutes(s.t), y: s.rssMiB[p] ?? null })),
          })),
        },
        {
          title: 'consumer lag (ratings topic end − committed)',
          unit: 'messages',
          series: [
            { label: 'lag', points: samples.map((s) => ({ x: minutes(s.t), y: s.lag })) },
            {
              label: `2 batches (${short(lagBound)})`,
              dashed: true,
              points: [samples[0]?.t ?? 0, durationMs].map((t) => ({ x: minutes(t), y: lagBound })),
            },
          ],
        },
        {
          title: `p99 latency per ${binMs / 1000} s`,
          unit: 'ms',
          series: [
            // A bin without a flush has no push: the line joins its neighbours rather than break.
            { label: 'REST', points: restBins.filter((b) => b.n).map((b) => ({ x: minutes(b.t), y: b.p99 })) },
            {
              label: 'push (stats)',
              points: pushBins.filter((b) => b.n).map((b) => ({ x: minutes(b.t), y: b.p99 })),
            },
          ],
        },
      ],
      Math.min(0, minutes(samples[0]?.t ?? 0)),
      MINUTES,
    ),
  );
  writeFileSync(
    join(dir, 'samples.json'),
    JSON.stringify(
      {
        settings: { MINUTES, SLICE_MINUTES, RATE, USERS, SOCKETS, REST_RATE, SAMPLE_MS, binMs, namespace: env },
        batchMessages,
        lagBound,
        samples,
        restPerBin: restBins,
        pushPerBin: pushBins,
        slices,
        restByRoute: byRoute,
        restStatuses: statuses,
        logs: logCounts,
        totals,
      },
      null,
      2,
    ),
  );
  process.stderr.write(`REST by route: ${JSON.stringify(byRoute)}\nREST statuses: ${JSON.stringify(statuses)}\n`);
  process.stderr.write(`plot: ${svgPath}\nsamples: ${join(dir, 'samples.json')}\n`);
  if (failure) throw failure;

  const where = relative(ROOT, dir).startsWith('..') ? dir : relative(ROOT, dir);
  return {
    name: 'soak',
    method:
      `${MINUTES} min with the three compiled services as processes (default settings: BATCH_INTERVAL_MS=${config.batch.intervalMs}, ` +
      `BATCH_MAX_RECORDS=${config.batch.maxRecords}; LOG_LEVEL=info), the producer service generating ${RATE} ratings/s from ${USERS} ` +
      `Faker users (PRODUCER_RATE, PRODUCER_USERS), ${SOCKETS} socket.io sockets on /live each subscribed to one user the ` +
      `producer rates (from GET /api/hours/{hour}/users after the first flush), and ${REST_RATE} REST requests/s at a fixed ` +
      `schedule (open loop) over ${ROUTES.map((r) => `${r.label} ${r.weight} %`).join(', ')}, for random users of that ` +
      `list in the current hour. The clock starts once sockets and REST load run, after the warm-up (services up, first flush). ` +
      `Every ${SAMPLE_MS / 1000} s: RSS of each process from /proc, the consumer group's lag from the broker, and the consumer's heap and stats cache size from its /metrics. RSS growth = ` +
      `a least-squares line through the samples of the last ${growthLabel}, its rise over its start. A batch is ` +
      `min(rate × interval, BATCH_MAX_RECORDS) = ${batchMessages} messages. REST latency: every answer, any status, from ` +
      `send to last byte (no answer within ${REST_TIMEOUT_MS / 1000} s: failed, at that latency); push latency: receipt − ` +
      `the stats message's updatedAt (set when the consumer starts writing the batch); p99 per ${SLICE_MINUTES}-min slice. ` +
      `ERROR lines: pino level ≥ 50 in each service's stdout and stderr. One run. Plot: ${where}/soak.svg; ` +
      `samples: ${where}/samples.json; service logs: ${where}/<service>.log.`,
    figures,
    runs: [figures],
    targets,
  };
}

/** Removes the namespace: the consumer group, the three topics and the keyspace; closes the Kafka connection. */
async function cleanUp(kafka: KafkaConnection, config: AppConfig): Promise<void> {
  const admin = await kafka.admin();
  await admin
    .deleteGroups([config.kafka.consumerGroup])
    .catch((err: unknown) => process.stderr.write(`could not delete the consumer group: ${String(err)}\n`));
  await admin
    .deleteTopics({ topics: Object.values(config.kafka.topics) })
    .catch((err: unknown) => process.stderr.write(`could not delete the bench topics: ${String(err)}\n`));
  await kafka.onApplicationShutdown();
  await dropKeyspace(config.cassandra);
}

runIfMain(module, run);
