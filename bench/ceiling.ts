import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { dropKeyspace, migrate } from '@reeltime/cassandra';
import { configFromEnvironment } from '@reeltime/config';
import { hourStart } from '@reeltime/contracts';
import { mapLimit } from '@reeltime/runtime';
import { Client, types } from 'cassandra-driver';
import { BenchResult, ProcessSampler, benchNamespace, infraSampler, medianOfRuns, round, runIfMain } from './lib';

/**
 * The ceiling: the most `records` rows this machine's Cassandra accepts per second, written straight
 * from the Node driver — no Kafka, no stats, no trending rows, rows built before the clock starts — in
 * prepared unlogged batches under Cassandra's 5 KiB warning, many requests in flight. The pipeline's
 * sustained drain (bench/consumer.ts) is quoted against it. Needs `npm run infra:up` (the Cassandra
 * pid is read from .infra/cassandra.pid, for its CPU per row).
 *
 * BENCH_CEILING_ROWS rows (300,000) per run, BENCH_CEILING_USERS (1000,100000: one row per user and
 * hour until the rows run out, so 100,000 users give ~3 rows a partition), BENCH_CEILING_RUNS (3),
 * BENCH_CEILING_CONCURRENCY batches in flight (32). Two ways to batch, each its own figure:
 * `partition` (one user-hour per batch, as the consumer does when a user has many rows) and `replica`
 * (rows of many partitions in one batch: with one node every partition has the same replica, which is
 * what token-aware grouping gives a cluster).
 */
const ROWS = Number(process.env.BENCH_CEILING_ROWS ?? 300_000);
const USERS = (process.env.BENCH_CEILING_USERS ?? '1000,100000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_CEILING_RUNS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CEILING_CONCURRENCY ?? 32);
/** The consumer's own cut (RECORD_BATCH_BYTES in the ratings store), under the 5 KiB warning. */
const BATCH_BYTES = 4500;
const TTL_SECONDS = 7 * 24 * 3600;
const INSERT = 'INSERT INTO records (name, hour, time, id, movie, rating) VALUES (?, ?, ?, ?, ?, ?) USING TTL ?';
const TITLES = Array.from({ length: 5000 }, (_, i) => `A film of the catalogue, number ${i} (19${10 + (i % 90)})`);

type Row = [string, Date, Date, types.Uuid, string, number, number];

function rows(users: number): Row[] {
  const hour = hourStart(Date.now());
  return Array.from({ length: ROWS }, (_, i) => {
    const time = hour + (i % 3_600_000);
    return [
      `Viewer ${i % users}`,
      new Date(hour),
      new Date(time),
      types.Uuid.fromString(randomUUID()),
      TITLES[i % TITLES.length],
      1 + (i % 10),
      TTL_SECONDS,
    ];
  });
}

/** Rows cut into batches of at most BATCH_BYTES (the consumer's estimate: 104 bytes + the title). */
function batches(all: Row[], by: 'partition' | 'replica'): Row[][] {
  const byName = new Map<string, Row[]>();
  if (by === 'partition') {
    for (const r of all) {
      const group = byName.get(r[0]);
      if (group) group.push(r);
      else byName.set(r[0], [r]);
    }
  }
  const groups = by === 'replica' ? [all] : [...byName.values()];
  const out: Row[][] = [];
  for (const group of groups) {
    let current: Row[] = [];
    let bytes = 0;
    for (const row of group) {
      const size = 104 + Buffer.byteLength(row[4]);
      if (current.length && bytes + size > BATCH_BYTES) {
        out.push(current);
        current = [];
        bytes = 0;
      }
      current.push(row);
      bytes += size;
    }
    if (current.length) out.push(current);
  }
  return out;
}

async function once(client: Client, users: number, by: 'partition' | 'replica') {
  const cut = batches(rows(users), by);
  const cassandra = infraSampler('cassandra');
  const self = new ProcessSampler(process.pid);
  const started = performance.now();
  await mapLimit(cut, CONCURRENCY, (batch) =>
    client.batch(
      batch.map((params) => ({ query: INSERT, params })),
      { prepare: true, logged: false },
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const c = cassandra?.stop();
  const s = self.stop();
  return {
    users,
    batching: by,
    'rows/s': Math.round(ROWS / seconds),
    'rows per batch': round(ROWS / cut.length),
    'Cassandra CPU µs/row': c ? round((c.cpuSeconds * 1e6) / ROWS) : 'n/a',
    'driver CPU µs/row': round((s.cpuSeconds * 1e6) / ROWS),
  };
}

export async function run(): Promise<BenchResult> {
  const env = { ...process.env, ...benchNamespace('ceiling') };
  const config = configFromEnvironment(env);
  await migrate(config.cassandra, resolve(__dirname, '..', 'cql'));
  const client = new Client({
    contactPoints: config.cassandra.contactPoints,
    localDataCenter: config.cassandra.localDataCenter,
    keyspace: config.cassandra.keyspace,
    pooling: { coreConnectionsPerHost: { [types.distance.local]: 2 } },
  });
  await client.connect();
  const runs: Array<Record<string, number | string>> = [];
  const figures: Record<string, number | string> = {};
  try {
    // A warm-up the figures leave out: the first writes after Cassandra starts are JIT-cold.
    await once(client, USERS[0], 'replica');
    for (const users of USERS) {
      for (const by of ['partition', 'replica'] as const) {
        const these: Array<Record<string, number | string>> = [];
        for (let i = 0; i < RUNS; i++) {
          const r = await once(client, users, by);
          process.stderr.write(`[ceiling] ${JSON.stringify(r)}\n`);
          these.push(r);
        }
        runs.push(...these);
        const m = medianOfRuns(these);
        figures[`rows/s, ${users} users, by ${by}`] = m['rows/s'];
        figures[`Cassandra CPU µs/row, ${users} users, by ${by}`] = m['Cassandra CPU µs/row'];
      }
    }
  } finally {
    await client.shutdown();
    await dropKeyspace(config.cassandra);
  }
  return {
    name: 'Cassandra ceiling (records rows straight from the driver)',
    method: `${ROWS.toLocaleString('en')} pre-built records rows (TTL as the consumer) per run, ${RUNS} runs per shape (median), prepared unlogged batches cut at ${BATCH_BYTES} estimated bytes, ${CONCURRENCY} in flight on 2 connections; by partition = one user-hour per batch, by replica = rows of many partitions per batch (one node: the same replica). One warm-up run is left out.`,
    figures,
    runs,
  };
}

runIfMain(module, run);
