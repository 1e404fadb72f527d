import { ChildProcess } from 'node:child_process';
import { Agent, get } from 'node:http';
import { resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Client } from 'cassandra-driver';
import { Socket, io } from 'socket.io-client';
import { clientOptions, dropKeyspace, migrate } from '@reeltime/cassandra';
import { AppConfig, Env, configFromEnvironment } from '@reeltime/config';
import { HOUR_MS, HourlyStats, aggregateRatings, hourStart, toHourlyStats } from '@reeltime/contracts';
import { KafkaConnection, Producer } from '@reeltime/kafka';
import { mapLimit, prng, sleep } from '@reeltime/runtime';
import {
  BenchResult,
  MachineSampler,
  ProcessSampler,
  benchNamespace,
  infraSampler,
  percentile,
  round,
  rssMiB,
  runIfMain,
} from './lib';
import { startQuery } from './ws-fanout';

/**
 * The query side at scale: USERS × HOURS rows in `user_hour_stats` (the only table GET …/stats,
 * GET …/hours?from&to and the socket `subscribe` ack read), written straight from the driver, then the
 * compiled query service as a process with its answer cache made useless (QUERY_CACHE_MAX_ENTRIES=1)
 * and no rate limits:
 *   REST — RATE req/s on a fixed schedule for SECONDS per case after a WARMUP the figures leave out,
 *          each request a random user: `stats`, one random loaded hour; `series 24 h`, the whole loaded
 *          range. Latency is counted from the moment the schedule said to send, so a stalled service
 *          cannot hide behind requests not sent (autocannon's overallRate sends each connection's
 *          quota for the second as fast as it can and then waits, i.e. in bursts, not at a rate).
 *   WebSocket — SOCKETS socket.io sockets on /live, opened WAVE at a time, HOT_SOCKETS of them on
 *          HOT_USERS hot users, each other one on a cold user of its own; each hot user gets a stats
 *          message on the stats topic once a second for PUSH_SECONDS (updatedAt = publish time, as the
 *          consumer sets it), and every hot socket records publish → `stats` receipt.
 * The keyspace is dropped at the end unless BENCH_QS_KEYSPACE names it: a later run with the same name
 * finds it loaded and skips the preload. Needs Kafka and Cassandra running and dist/ built.
 *
 * BENCH_QS_USERS (100000), BENCH_QS_HOURS (24), BENCH_QS_KEYSPACE, BENCH_QS_LOAD_CONCURRENCY (64 batches
 * in flight), BENCH_QS_RATE (1000 req/s), BENCH_QS_SECONDS (30), BENCH_QS_WARMUP (5), BENCH_QS_CONNECTIONS
 * (64), BENCH_QS_SOCKETS (10000), BENCH_QS_HOT_SOCKETS (1000), BENCH_QS_HOT_USERS (100), BENCH_QS_WAVE
 * (500), BENCH_QS_PUSH_SECONDS (30), BENCH_QS_CASES (stats,series,ws).
 */
const USERS = Number(process.env.BENCH_QS_USERS ?? 100_000);
const HOURS = Number(process.env.BENCH_QS_HOURS ?? 24);
const KEPT_KEYSPACE = process.env.BENCH_QS_KEYSPACE;
const SECONDS = Number(process.env.BENCH_QS_SECONDS ?? 30);
const RATE = Number(process.env.BENCH_QS_RATE ?? 1000);
const WARMUP = Number(process.env.BENCH_QS_WARMUP ?? 5);
/** Keep-alive connections the REST load may open; at 1,000 req/s and a few ms each, a handful are busy. */
const CONNECTIONS = Number(process.env.BENCH_QS_CONNECTIONS ?? 64);
const SOCKETS = Number(process.env.BENCH_QS_SOCKETS ?? 10_000);
const HOT_SOCKETS = Math.min(SOCKETS, Number(process.env.BENCH_QS_HOT_SOCKETS ?? 1000));
const HOT_USERS = Number(process.env.BENCH_QS_HOT_USERS ?? 100);
const PUSH_SECONDS = Number(process.env.BENCH_QS_PUSH_SECONDS ?? 30);
const WAVE = Number(process.env.BENCH_QS_WAVE ?? 500);
const LOAD_CONCURRENCY = Number(process.env.BENCH_QS_LOAD_CONCURRENCY ?? 64);
/** BENCH_QS_CASES=ws runs a subset of stats, series, ws. */
const CASES = (process.env.BENCH_QS_CASES ?? 'stats,series,ws').split(',').map((c) => c.trim());
const PORT = '3930';
const ROOT = resolve(__dirname, '..');
/** A user's hours go in single-partition batches, which Cassandra exempts from its batch size limits. */
const BATCH_ROWS = 24;
/** Hot users are spread over this many publishes a second, so the stats topic sees a steady stream. */
const TICKS_PER_SECOND = 10;
const REQUEST_TIMEOUT_MS = 10_000;

const UPSERT =
  'INSERT INTO user_hour_stats (name, hour, count, sum, min, max, histogram, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?';
const SELECT_HOURS = 'SELECT hour FROM user_hour_stats WHERE name = ?';

const userName = (i: number) => `qscale user ${i}`;
const log = (text: string) => process.stderr.write(`[qscale] ${text}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString('en');
/** Math.max(...values) runs out of stack for a few hundred thousand values. */
const maxOf = (values: number[]) => values.reduce((a, b) => Math.max(a, b), values.length ? -Infinity : NaN);

/**
 * One user's rows: 1–30 ratings an hour (mostly few), around a taste bias of the user's own, the
 * aggregate exactly as the consumer computes it, updated_at within the hour and never ahead of now.
 */
function userRows(user: number, hours: number[], now: number, ttlSeconds: number): unknown[][] {
  const rand = prng(user + 1);
  const bias = 3 + rand() * 5;
  return hours.map((hour) => {
    const count = 1 + Math.floor(rand() ** 2 * 30);
    const ratings = Array.from({ length: count }, () =>
      Math.min(10, Math.max(1, Math.round(bias + (rand() + rand() + rand() - 1.5) * 3))),
    );
    const agg = aggregateRatings(ratings);
    const updatedAt = hour + Math.floor(rand() * Math.max(1, Math.min(HOUR_MS, now - hour)));
    const row = [agg.count, agg.sum, agg.min, agg.max, agg.histogram, new Date(updatedAt), ttlSeconds];
    return [userName(user), new Date(hour), ...row];
  });
}

async function hoursOf(client: Client, user: number): Promise<number[]> {
  const rs = await client.execute(SELECT_HOURS, [userName(user)], { prepare: true });
  return rs.rows.map((r) => (r.get('hour') as Date).getTime()).sort((a, b) => a - b);
}

/**
 * What a kept keyspace already holds: undefined when user 0 has no rows; its hours, and whether user
 * USERS−1 and 200 random users have the same ones (an interrupted load is completed with the same hours).
 */
async function existingLoad(client: Client): Promise<{ hours: number[]; complete: boolean } | undefined> {
  const hours = await hoursOf(client, 0);
  if (hours.length === 0) return undefined;
  if (hours.length !== HOURS) {
    throw new Error(
      `the keyspace holds another load (user 0 has ${hours.length} hours, not ${HOURS}): name another BENCH_QS_KEYSPACE`,
    );
  }
  const sample = [USERS - 1, ...Array.from({ length: 200 }, () => Math.floor(Math.random() * USERS))];
  const found = await mapLimit(sample, 32, (u) => hoursOf(client, u));
  return { hours, complete: found.every((h) => h.length === HOURS && h[0] === hours[0]) };
}

async function preload(client: Client, hours: number[], ttlSeconds: number) {
  const total = USERS * hours.length;
  let rows = 0;
  const started = performance.now();
  const rate = () => rows / ((performance.now() - started) / 1000);
  const progress = setInterval(() => log(`loaded ${fmt(rows)} / ${fmt(total)} rows (${fmt(rate())} rows/s)`), 5000);
  const cassandra = infraSampler('cassandra');
  try {
    const users = Array.from({ length: USERS }, (_, u) => u);
    await mapLimit(users, LOAD_CONCURRENCY, async (u) => {
      const all = userRows(u, hours, Date.now(), ttlSeconds);
      for (let i = 0; i < all.length; i += BATCH_ROWS) {
        const chunk = all.slice(i, i + BATCH_ROWS);
        await client.batch(
          chunk.map((params) => ({ query: UPSERT, params })),
          { prepare: true, logged: false },
        );
        rows += chunk.length;
      }
    });
  } finally {
    clearInterval(progress);
  }
  const c = cassandra?.stop();
  const seconds = (performance.now() - started) / 1000;
  log(`loaded ${fmt(rows)} rows in ${round(seconds)} s (${fmt(rows / seconds)} rows/s)`);
  return {
    rows,
    seconds,
    rowsPerSecond: Math.round(rows / seconds),
    cassandraUsPerRow: c ? round((c.cpuSeconds * 1e6) / rows) : undefined,
  };
}

interface RestOutcome {
  answered: number;
  failed: number;
  wrong: number;
  seconds: number;
  latencies: number[];
  slices: number[];
  loopDelayP99: number;
}

/**
 * RATE requests a second on a fixed schedule (open loop): each request is sent when the schedule says,
 * whatever earlier ones are doing, and its latency runs from that moment to the end of its answer.
 */
async function openLoop(
  agent: Agent,
  seconds: number,
  path: () => string,
  valid: (body: unknown) => boolean,
): Promise<RestOutcome> {
  const total = Math.round(RATE * seconds);
  const latencies: number[] = [];
  /** Each answer's scheduled send, in seconds from the start, for the per-slice log. */
  const sentAt: number[] = [];
  let failed = 0;
  let wrong = 0;
  const pending = new Set<Promise<void>>();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const start = performance.now();
  const one = (scheduled: number) =>
    new Promise<void>((done) => {
      let settled = false;
      const finish = (outcome: 'ok' | 'failed' | 'wrong') => {
        if (settled) return;
        settled = true;
        if (outcome === 'failed') failed += 1;
        else {
          latencies.push(performance.now() - scheduled);
          sentAt.push((scheduled - start) / 1000);
        }
        if (outcome === 'wrong') wrong += 1;
        done();
      };
      const req = get({ agent, host: '127.0.0.1', port: Number(PORT), path: path() }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => finish('failed'));
        res.on('end', () => {
          if (res.statusCode !== 200) return finish('failed');
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return finish('wrong');
          }
          finish(valid(body) ? 'ok' : 'wrong');
        });
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
      req.on('error', () => finish('failed'));
    });
  let issued = 0;
  await new Promise<void>((sent) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * RATE) / 1000) + 1);
      for (; issued < due; issued++) {
        const p = one(start + (issued * 1000) / RATE);
        pending.add(p);
        void p.then(() => pending.delete(p));
      }
      if (issued < total) setTimeout(tick, 1);
      else sent();
    };
    tick();
  });
  await Promise.all(pending);
  loop.disable();
  return {
    answered: latencies.length,
    failed,
    wrong,
    seconds: (performance.now() - start) / 1000,
    latencies,
    slices: sliceP99s(latencies, sentAt, seconds),
    loopDelayP99: round(loop.percentile(99) / 1e6),
  };
}

/** p99 of each 5 s of the schedule: tells a steady tail from a few stalls, on a machine other work shares. */
function sliceP99s(latencies: number[], sentAt: number[], seconds: number): number[] {
  const slices = Array.from({ length: Math.ceil(seconds / 5) }, (): number[] => []);
  latencies.forEach((ms, i) => slices[Math.min(slices.length - 1, Math.floor(sentAt[i] / 5))].push(ms));
  return slices.map((s) => round(percentile(s, 99), 1));
}

async function restCase(
  label: string,
  child: ChildProcess,
  path: () => string,
  valid: (body: unknown) => boolean,
): Promise<Record<string, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  try {
    // Not counted: JIT, the driver's prepared statements, Cassandra's caches, connections opened.
    await openLoop(agent, WARMUP, path, valid);
    const query = new ProcessSampler(child.pid!);
    const cassandra = infraSampler('cassandra');
    const self = new ProcessSampler(process.pid);
    const machine = new MachineSampler();
    const r = await openLoop(agent, SECONDS, path, valid);
    const q = query.stop();
    const c = cassandra?.stop();
    const b = self.stop();
    const busy = machine.stop().busyPercent;
    const requests = r.answered + r.failed;
    const figures: Record<string, number> = {
      [`${label} req/s`]: round(r.answered / r.seconds, 0),
      [`${label} p50 ms`]: round(percentile(r.latencies, 50), 2),
      [`${label} p99 ms`]: round(percentile(r.latencies, 99), 2),
      [`${label} max ms`]: round(maxOf(r.latencies), 1),
      [`${label} failed (errors, non-2xx)`]: r.failed,
      [`${label} wrong answers`]: r.wrong,
      [`${label} query CPU %`]: q.cpuPercent,
      [`${label} query CPU µs/req`]: round((q.cpuSeconds * 1e6) / requests, 0),
      ...(c ? { [`${label} Cassandra CPU µs/req`]: round((c.cpuSeconds * 1e6) / requests, 0) } : {}),
      [`${label} bench CPU %`]: b.cpuPercent,
      [`${label} bench loop delay p99 ms`]: r.loopDelayP99,
      [`${label} machine CPU busy %`]: busy,
    };
    log(`${label}: ${JSON.stringify(figures)}`);
    log(`${label}: p99 ms of each 5 s: ${r.slices.join(', ')}`);
    return figures;
  } finally {
    agent.destroy();
  }
}

/** Socket i's user: HOT_SOCKETS / HOT_USERS sockets on each hot user, then one cold user per socket. */
const userOfSocket = (i: number): number =>
  i < HOT_SOCKETS ? i % HOT_USERS : HOT_USERS + ((i - HOT_SOCKETS) % (USERS - HOT_USERS));

/** Opens and subscribes SOCKETS sockets WAVE at a time, into `sockets` as they open (so cleanup finds them). */
async function openSockets(
  sockets: Socket[],
  onStats: (i: number, s: HourlyStats) => void,
  onDisconnect: (reason: string) => void,
): Promise<void> {
  const started = performance.now();
  for (let start = 0; start < SOCKETS; start += WAVE) {
    await Promise.all(
      Array.from({ length: Math.min(WAVE, SOCKETS - start) }, async (_, k) => {
        const i = start + k;
        const socket = io(`http://127.0.0.1:${PORT}/live`, {
          transports: ['websocket'],
          forceNew: true,
          // A dropped socket would come back without its subscription: count it instead.
          reconnection: false,
        });
        sockets.push(socket);
        await new Promise<void>((ok, fail) => {
          socket.once('connect', () => ok());
          socket.once('connect_error', fail);
        });
        socket.on('stats', (s: HourlyStats) => onStats(i, s));
        socket.on('disconnect', onDisconnect);
        const ack = (await socket.timeout(30_000).emitWithAck('subscribe', { name: userName(userOfSocket(i)) })) as {
          ok: boolean;
        };
        if (!ack.ok) throw new Error(`subscribe failed: ${JSON.stringify(ack)}`);
      }),
    );
    const open = Math.min(SOCKETS, start + WAVE);
    if ((start / WAVE) % 4 === 3 || open === SOCKETS) {
      log(`${fmt(open)} sockets open and subscribed (${round((performance.now() - started) / 1000)} s)`);
    }
  }
}

/** A hot user's stats after `n` ratings, one a second: what the consumer would publish. */
function hotStats(user: number, n: number, at: number): HourlyStats {
  const ratings = Array.from({ length: n }, (_, k) => 1 + ((user * 7 + k * 3) % 10));
  return toHourlyStats(userName(user), hourStart(at), aggregateRatings(ratings), at);
}

async function websocketCase(child: ChildProcess, producer: Producer, topic: string): Promise<Record<string, number>> {
  const sockets: Socket[] = [];
  // received[socket][round]: pushes of that round's message seen by that hot socket.
  const received = Array.from({ length: HOT_SOCKETS }, () => new Uint8Array(PUSH_SECONDS));
  const delays: number[] = [];
  let coldPushes = 0;
  let stray = 0;
  let disconnects = 0;
  let closing = false;
  const onStats = (i: number, s: HourlyStats) => {
    if (i >= HOT_SOCKETS) {
      coldPushes += 1;
      return;
    }
    const round = s.count - 1; // a hot user's count is its round number + 1
    if (round < 0 || round >= PUSH_SECONDS) {
      stray += 1;
      return;
    }
    received[i][round] += 1;
    delays.push(Date.now() - Date.parse(s.updatedAt));
  };
  const rssBefore = rssMiB(child.pid!) ?? NaN;
  const memory = new ProcessSampler(child.pid!);
  try {
    const opened = performance.now();
    await openSockets(sockets, onStats, () => {
      if (!closing) disconnects += 1;
    });
    const openSeconds = (performance.now() - opened) / 1000;
    // Let the connect storm's garbage and the first health pushes to every socket settle.
    await sleep(5000);
    const connectPeak = memory.stop().peakRssMiB;
    const rssWith = rssMiB(child.pid!) ?? NaN;
    const benchRss = rssMiB(process.pid) ?? NaN;
    log(
      `query RSS ${rssBefore} MiB before the sockets, ${rssWith} MiB with ${fmt(SOCKETS)}; this process ${benchRss} MiB`,
    );

    const cpu = new ProcessSampler(child.pid!);
    const machine = new MachineSampler();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const hot = Array.from({ length: HOT_USERS }, (_, u) => u);
    const sends: Array<Promise<unknown>> = [];
    const start = Date.now();
    for (let t = 0; t < PUSH_SECONDS * TICKS_PER_SECOND; t++) {
      const wait = start + (t * 1000) / TICKS_PER_SECOND - Date.now();
      if (wait > 0) await sleep(wait);
      const round = Math.floor(t / TICKS_PER_SECOND);
      const users = hot.filter((u) => u % TICKS_PER_SECOND === t % TICKS_PER_SECOND);
      const at = Date.now();
      // Not awaited: a slow acknowledgement must not shift the schedule (the delay is measured from `at`).
      sends.push(
        producer.send({
          topic,
          messages: users.map((u) => {
            const stats = hotStats(u, round + 1, at);
            return { key: stats.name, value: JSON.stringify(stats) };
          }),
        }),
      );
    }
    await Promise.all(sends);
    const expected = HOT_SOCKETS * PUSH_SECONDS;
    const deadline = Date.now() + 15_000;
    while (delays.length < expected && Date.now() < deadline) await sleep(50);
    loop.disable();
    const usage = cpu.stop();
    const busy = machine.stop().busyPercent;
    let missing = 0;
    let duplicates = 0;
    for (const rounds of received) {
      for (const n of rounds) {
        if (n === 0) missing += 1;
        else duplicates += n - 1;
      }
    }
    const figures: Record<string, number> = {
      sockets: sockets.length,
      'hot sockets': HOT_SOCKETS,
      'sockets open + subscribed s': round(openSeconds),
      'push p50 ms': percentile(delays, 50),
      'push p99 ms': percentile(delays, 99),
      'push max ms': maxOf(delays),
      'pushes expected': expected,
      'pushes received': delays.length,
      'pushes missing': missing,
      'pushes duplicated': duplicates,
      'pushes to cold sockets': coldPushes + stray,
      'socket disconnects': disconnects,
      'query RSS MiB before sockets': rssBefore,
      'query RSS MiB with sockets': rssWith,
      'query RSS MiB peak while connecting': connectPeak,
      'query RSS MiB peak while pushing': usage.peakRssMiB,
      'query RSS KiB per socket': round(((rssWith - rssBefore) * 1024) / SOCKETS),
      'query CPU % while pushing': usage.cpuPercent,
      'bench RSS MiB with sockets': benchRss,
      'bench loop delay p99 ms while pushing': round(loop.percentile(99) / 1e6),
      'machine CPU busy % while pushing': busy,
    };
    log(`websocket: ${JSON.stringify(figures)}`);
    return figures;
  } finally {
    closing = true;
    for (const s of sockets) s.disconnect();
    memory.stop();
  }
}

async function stopQuery(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  // Only this process, by its handle, and only if it ignores SIGTERM for half a minute.
  const stuck = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(stuck);
}

async function removeNamespace(kafka: KafkaConnection, config: AppConfig): Promise<void> {
  const { ratings, stats, dlq } = config.kafka.topics;
  // The query service creates the DLQ topic for its dead-letter feed; it is this run's too.
  const admin = await kafka.admin();
  await admin
    .deleteTopics({ topics: [ratings, stats, dlq] })
    .catch((err: unknown) => log(`could not delete the bench topics: ${String(err)}`));
  await kafka.onApplicationShutdown();
  if (KEPT_KEYSPACE) log(`keyspace ${config.cassandra.keyspace} kept (BENCH_QS_KEYSPACE)`);
  else await dropKeyspace(config.cassandra);
}

export async function run(): Promise<BenchResult> {
  if (USERS <= HOT_USERS) throw new Error(`BENCH_QS_USERS (${USERS}) must exceed BENCH_QS_HOT_USERS (${HOT_USERS})`);
  const env: Env = benchNamespace('qscale', {
    QUERY_PORT: PORT,
    // One entry: each random (user, hour) evicts the last, so every request reads Cassandra.
    QUERY_CACHE_MAX_ENTRIES: '1',
    // One client address sends every request and opens every socket.
    QUERY_RATE_LIMIT: '0',
    QUERY_LIVE_RATE_LIMIT: '0',
    ...(KEPT_KEYSPACE ? { CASSANDRA_KEYSPACE: KEPT_KEYSPACE } : {}),
  });
  const config = configFromEnvironment(env);
  const kafka = new KafkaConnection(config);
  const figures: Record<string, number | string> = {};
  let loadNote: string;
  let hours: number[];
  let child: ChildProcess | undefined;
  try {
    await migrate(config.cassandra, resolve(ROOT, 'cql'));
    await kafka.ensureTopics([config.kafka.topics.stats, config.kafka.topics.ratings]);
    const producer = kafka.createProducer();
    await producer.connect();

    const client = new Client(clientOptions(config.cassandra, config.cassandra.keyspace));
    await client.connect();
    try {
      const existing = await existingLoad(client);
      const current = hourStart(Date.now());
      hours = existing?.hours ?? Array.from({ length: HOURS }, (_, i) => current - (HOURS - 1 - i) * HOUR_MS);
      if (existing?.complete) {
        loadNote = `reused the load in keyspace ${config.cassandra.keyspace} (user 0, user ${USERS - 1} and 200 random users checked)`;
        log(loadNote);
        Object.assign(figures, { 'rows loaded': 0, 'load rows/s': 'reused' });
      } else {
        log(`loading ${fmt(USERS)} users × ${hours.length} hours into ${config.cassandra.keyspace}.user_hour_stats`);
        const load = await preload(client, hours, config.retention.statsTtlSeconds);
        loadNote =
          `preloaded ${fmt(load.rows)} user_hour_stats rows in ${round(load.seconds)} s (${fmt(load.rowsPerSecond)} rows/s; ` +
          `one prepared unlogged single-partition batch of ${Math.min(BATCH_ROWS, hours.length)} rows per user, ${LOAD_CONCURRENCY} in flight)`;
        Object.assign(figures, {
          'rows loaded': load.rows,
          'load rows/s': load.rowsPerSecond,
          ...(load.cassandraUsPerRow !== undefined ? { 'load Cassandra CPU µs/row': load.cassandraUsPerRow } : {}),
        });
      }
    } finally {
      await client.shutdown();
    }

    child = await startQuery(env, PORT);
    const from = new Date(hours[0]).toISOString();
    const to = new Date(hours[hours.length - 1]).toISOString();
    const randomUser = () => encodeURIComponent(userName(Math.floor(Math.random() * USERS)));
    const randomHour = () => new Date(hours[Math.floor(Math.random() * hours.length)]).toISOString();
    if (CASES.includes('stats')) {
      Object.assign(
        figures,
        await restCase(
          'stats',
          child,
          () => `/api/users/${randomUser()}/hours/${randomHour()}/stats`,
          (b) => (b as { count?: number }).count! > 0,
        ),
      );
    }
    if (CASES.includes('series')) {
      Object.assign(
        figures,
        await restCase(
          `series ${hours.length} h`,
          child,
          () => `/api/users/${randomUser()}/hours?from=${from}&to=${to}`,
          (b) => (b as { hours?: unknown[] }).hours?.length === hours.length,
        ),
      );
    }
    if (CASES.includes('ws')) Object.assign(figures, await websocketCase(child, producer, config.kafka.topics.stats));
  } finally {
    if (child) await stopQuery(child);
    await removeNamespace(kafka, config);
  }
  const series = `series ${hours.length} h`;
  return {
    name: 'query side at scale',
    method:
      `${fmt(USERS)} users × ${hours.length} hours in user_hour_stats (count 1–30, sum, min, max, histogram, updated_at; ` +
      `TTL from STATS_TTL_DAYS), the only table these routes read; ${loadNote!}. ` +
      `Compiled query service as a process, QUERY_CACHE_MAX_ENTRIES=1 (uncached), QUERY_RATE_LIMIT=0, QUERY_LIVE_RATE_LIMIT=0. ` +
      `REST: ${RATE} req/s on a fixed schedule (open loop, Node http, up to ${CONNECTIONS} keep-alive connections), ` +
      `${WARMUP} s warm-up left out, then ${SECONDS} s per case; latency from the scheduled send to the last byte; ` +
      `each request a random user: stats = GET …/hours/{random loaded hour}/stats, ${series} = GET …/hours?from&to over all ${hours.length} loaded hours. ` +
      `WebSocket: ${fmt(SOCKETS)} socket.io-client sockets (websocket transport, reconnection off) in this one process, ` +
      `opened and subscribed ${WAVE} at a time; ${HOT_SOCKETS} on ${HOT_USERS} hot users (${HOT_SOCKETS / HOT_USERS} each), ` +
      `the rest on a cold user each; every hot user gets a stats message once a second for ${PUSH_SECONDS} s ` +
      `(${TICKS_PER_SECOND} sends a second of ${HOT_USERS / TICKS_PER_SECOND} messages, updatedAt = publish time); ` +
      `push = receipt − updatedAt at each hot socket. CPU per request: the process's CPU time over the measured ` +
      `window / requests (Cassandra's includes whatever else uses it). One run, on the shared 2-core machine with ` +
      `Kafka, Cassandra, the service and this load generator.`,
    figures,
    runs: [figures],
    targets: {
      'stats p99 ms': '≤ 20',
      [`${series} p99 ms`]: '≤ 50',
      'push p99 ms': '≤ 500',
    },
  };
}

runIfMain(module, run);
