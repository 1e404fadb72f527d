import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Env } from '@reeltime/config';
import { Rating, encodeRatingEvent } from '@reeltime/contracts';
import { waitFor } from '../support/app';
import { ConsumerTestBed } from '../support/consumer-bed';
import { Feeder, generateRatings, waitForExact } from '../support/ratings';
import { ServiceProcess } from '../support/service-process';
import { topicSize } from '../producer/topic-reader';

const ROOT = resolve(__dirname, '..', '..');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run dlq -- …` as a child process (the CLI runs under tsx, as the script does). */
function dlq(args: string[], env: Env): Promise<CliRun> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/consumer/src/dlq-cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

interface Listed {
  sourceOffset: number;
  reason: string;
  key: string | null;
  value: string;
  where: string;
  replayed: boolean;
}

async function list(args: string[], env: Env): Promise<Listed[]> {
  const run = await dlq(['list', '--json', ...args], env);
  if (run.code !== 0) throw new Error(`dlq list exited ${run.code}:\n${run.stderr}`);
  return run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Listed);
}

const metricValue = (text: string, outcome: string, reason: string): number =>
  Number(
    new RegExp(
      `^reeltime_consumer_dead_letters_total\\{outcome="${outcome}",reason="${reason}"[^}]*\\} (\\d+)`,
      'm',
    ).exec(text)?.[1] ?? 0,
  );

/**
 * The operator's round trip: the real consumer dead-letters hostile messages and ratings that broke a
 * limit since raised (MAX_MESSAGE_BYTES) or were too far ahead then (MAX_FUTURE_SKEW_MS), some into the
 * DLQ topic and some, while the topic refuses them, into the dead_letters table; `npm run dlq -- list`
 * shows them by reason; `replay` publishes exactly the ones valid now, each once; a second replay
 * publishes nothing.
 */
describe('dead-letter operations (npm run dlq)', () => {
  const settings = { BATCH_INTERVAL_MS: '500', KAFKA_PARTITIONS: '2', LOG_LEVEL: 'info', MAX_FUTURE_SKEW_MS: '2000' };
  const bed = new ConsumerTestBed('dlqops', { ...settings, MAX_MESSAGE_BYTES: '300' });
  const { ns } = bed;
  /** The operator's settings after the fix: the limit raised back to its default. */
  const fixed: Env = { ...ns.env, MAX_MESSAGE_BYTES: '4096' };

  const valid = generateRatings({ users: 30, count: 300, seed: 14 });
  const longTitle = (r: Rating, i: number): Rating => ({ ...r, movie: `${'A long title '.repeat(20)}${i}` });
  // Valid under the raised limit: 400 via the topic, 40 via the table.
  const tooLargeTopic = generateRatings({ users: 30, count: 400, seed: 15 }).map(longTitle);
  const tooLargeTable = generateRatings({ users: 30, count: 40, seed: 16 }).map(longTitle);
  // Timed 8 s ahead of their send: dead-lettered then, valid by the time of the replay.
  const aheadBy = 8000;
  const ahead = generateRatings({ users: 30, count: 30, seed: 17 });
  const hostile = [
    ...Array.from({ length: 20 }, (_, i) => ({ key: `noise ${i}`, value: randomBytes(40 + i) })),
    ...Array.from({ length: 20 }, (_, i) => ({ key: `json ${i}`, value: `{"id": ${i}` })),
    ...generateRatings({ users: 5, count: 20, seed: 18 }).map((r) => ({
      key: r.name,
      value: encodeRatingEvent({ ...r, rating: 11 }),
    })),
    ...generateRatings({ users: 5, count: 20, seed: 19 }).map((r) => ({
      key: 'somebody else',
      value: encodeRatingEvent(r),
    })),
  ];
  const raw = (rs: Rating[]) => rs.map((r) => ({ key: r.name, value: encodeRatingEvent(r) }));

  beforeAll(() => bed.setUp());
  afterAll(() => bed.tearDown());

  it('lists, replays the valid ones once, and a second replay publishes nothing', async () => {
    let consumer = new ServiceProcess('consumer', ns.env);
    await consumer.start();
    const feeder = new Feeder(bed.kafka, ns.config);
    const dlqTopic = ns.config.kafka.topics.dlq;
    try {
      // Into the DLQ topic.
      await feeder.send(valid.slice(0, 150));
      await feeder.sendRaw(hostile);
      await feeder.sendRaw(raw(tooLargeTopic));
      const due = Date.now() + aheadBy;
      for (const r of ahead) r.time = due;
      await feeder.sendRaw(raw(ahead));
      const published = hostile.length + tooLargeTopic.length + ahead.length;
      await waitFor(`${published} dead letters published`, () =>
        topicSize(bed.kafka, dlqTopic).then((n) => n >= published),
      );
      const metrics = await (await fetch(`${consumer.url}/metrics`)).text();
      expect(metricValue(metrics, 'published', 'too_large')).toBe(tooLargeTopic.length);
      expect(metricValue(metrics, 'published', 'future_time')).toBe(ahead.length);
      expect(metricValue(metrics, 'published', 'contract')).toBe(20);
      expect(metricValue(metrics, 'published', 'key')).toBe(20);
      expect(metricValue(metrics, 'published', 'not_json') + metricValue(metrics, 'published', 'not_utf8')).toBe(40);

      // Into the table: the DLQ topic refuses everything for a while.
      await bed.setMaxMessageBytes(dlqTopic, 16);
      await feeder.sendRaw(raw(tooLargeTable));
      const cql = await bed.cql();
      await waitFor(`${tooLargeTable.length} dead letters in the table`, async () => {
        const rs = await cql.execute('SELECT source_offset FROM dead_letters', [], { fetchSize: 1000 });
        return rs.rowLength >= tooLargeTable.length;
      });
      await bed.setMaxMessageBytes(dlqTopic, undefined);
      await feeder.send(valid.slice(150));
      await waitForExact(cql, valid, 60_000);

      // The operator raises the limit and restarts the consumer.
      expect(await consumer.stop()).toBe(0);
      consumer = new ServiceProcess('consumer', fixed);
      await consumer.start();

      const all = await list([], fixed);
      expect(all).toHaveLength(published + tooLargeTable.length);
      expect(all.filter((l) => l.where === 'table')).toHaveLength(tooLargeTable.length);
      expect(all.filter((l) => l.reason === 'too_large')).toHaveLength(tooLargeTopic.length + tooLargeTable.length);
      expect(all.some((l) => l.replayed)).toBe(false);
      expect(await list(['--reason', 'key,contract'], fixed)).toHaveLength(40);
      expect(await list(['--since', '1h'], fixed)).toHaveLength(all.length);
      expect(await list(['--since', new Date(Date.now() + 60_000).toISOString()], fixed)).toHaveLength(0);
      const text = await dlq(['list', '--reason', 'future_time'], fixed);
      expect(text.stdout).toContain(`${ahead.length} dead letters (future_time ${ahead.length}), 0 of them replayed`);

      const bad = await dlq(['list', '--reason', 'bogus'], fixed);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^--reason must be one or more of .*got "bogus"/);
      const badSince = await dlq(['replay', '--since', 'last week'], fixed);
      expect(badSince.code).toBe(2);
      expect(badSince.stderr).toMatch(/^--since must be/);

      // The events dead-lettered for their time must be due by now.
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      const dry = await dlq(['replay', '--dry-run', '--json'], fixed);
      expect(dry.code).toBe(0);
      const replayable = tooLargeTopic.length + tooLargeTable.length + ahead.length;
      expect(JSON.parse(dry.stdout)).toMatchObject({ valid: replayable, replayed: 0, dryRun: true });

      const before = await topicSize(bed.kafka, ns.config.kafka.topics.ratings);
      const first = await dlq(['replay', '--json'], fixed);
      expect(first.code).toBe(0);
      const summary = JSON.parse(first.stdout) as Record<string, unknown>;
      expect(summary).toMatchObject({
        considered: all.length,
        replayed: replayable,
        alreadyReplayed: 0,
        truncated: 0,
        stillInvalid: { contract: 20, key: 20 },
      });
      expect(first.stderr).toMatch(/replayed \d+\/\d+ \(\d+\/s\)/);
      expect(await topicSize(bed.kafka, ns.config.kafka.topics.ratings)).toBe(before + replayable);
      process.stdout.write(`dlq replay: ${replayable} dead letters in ${String(summary.seconds)} s\n`);

      await waitForExact(cql, [...valid, ...tooLargeTopic, ...tooLargeTable, ...ahead], 60_000);
      const replays = await cql.execute('SELECT source_offset FROM dead_letter_replays', [], { fetchSize: 5000 });
      expect(replays.rowLength).toBe(replayable);

      const second = await dlq(['replay', '--json'], fixed);
      expect(second.code).toBe(0);
      expect(JSON.parse(second.stdout)).toMatchObject({ replayed: 0, alreadyReplayed: replayable });
      expect(await topicSize(bed.kafka, ns.config.kafka.topics.ratings)).toBe(before + replayable);
      expect((await list([], fixed)).filter((l) => l.replayed)).toHaveLength(replayable);
    } finally {
      expect(await consumer.stop()).toBe(0);
    }
  });
});
