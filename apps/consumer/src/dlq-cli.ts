import 'reflect-metadata';
import { isUtf8 } from 'node:buffer';
import { Logger } from '@nestjs/common';
import { AppConfig, ConfigError, configFromEnvironment } from '@reeltime/config';
import { CassandraSession } from '@reeltime/cassandra';
import { DecodeOptions } from '@reeltime/contracts';
import { KafkaConnection } from '@reeltime/kafka';
import { StderrLogger } from '@reeltime/observability';
import { runCli } from '@reeltime/runtime';
import { DeadLetterRecord, letterId } from './dead-letters/dead-letter-record';
import { DeadLetterReader } from './dead-letters/dead-letter.reader';
import { DLQ_USAGE, DlqOptions, parseDlqArgs } from './dead-letters/dlq-options';
import { ReplayEntry, ReplayLedger } from './dead-letters/replay-ledger';
import { replayVerdict } from './dead-letters/replay-check';

/*
 * Dead-letter operations without the service: `npm run dlq -- list|replay [--since T] [--reason K]`.
 * No Nest DI here (tsx emits no decorator metadata): the Kafka and Cassandra adapters are built by hand.
 * Progress goes to stderr; the listing and the summary to stdout.
 */

/** Header on a replayed message: the dead letter it came from (source topic/partition/offset). */
export const REPLAYED_FROM_HEADER = 'replayed-from';
/** Messages per send of a replay (each one at most MAX_MESSAGE_BYTES, 4 KiB by default). */
const SEND_CHUNK = 500;

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

const describeCounts = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

function keyText(key: Buffer | null): string | null {
  return key === null ? null : isUtf8(key) ? key.toString('utf8') : `0x${key.subarray(0, 32).toString('hex')}`;
}

function listLine(l: DeadLetterRecord, replayed: boolean): string {
  const key = keyText(l.key);
  const shown = key === null ? 'no key' : `key ${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}`;
  return [
    new Date(l.at).toISOString(),
    letterId(l),
    l.reason,
    `${l.error}${l.truncated ? ' [cut to fit]' : ''}${replayed ? ' [replayed]' : ''}`,
    `${shown}, ${l.value?.length ?? 0} B, from ${l.where}`,
  ].join('  ');
}

function listJson(l: DeadLetterRecord, replayed: boolean): string {
  return JSON.stringify({
    sourceTopic: l.sourceTopic,
    sourcePartition: l.sourcePartition,
    sourceOffset: l.sourceOffset,
    at: new Date(l.at).toISOString(),
    reason: l.reason,
    error: l.error,
    key: keyText(l.key),
    value: l.value?.toString('base64') ?? null,
    valueBytes: l.value?.length ?? 0,
    truncated: l.truncated,
    where: l.where,
    replayed,
  });
}

async function list(options: DlqOptions, letters: DeadLetterRecord[], replayed: Set<string>): Promise<void> {
  for (const l of letters) {
    const line = options.json ? listJson(l, replayed.has(letterId(l))) : listLine(l, replayed.has(letterId(l)));
    if (!process.stdout.write(`${line}\n`)) await new Promise((r) => process.stdout.once('drain', r));
  }
  const summary =
    `${letters.length} dead letters (${describeCounts(countBy(letters, (l) => l.reason))}), ` +
    `${letters.filter((l) => replayed.has(letterId(l))).length} of them replayed`;
  if (options.json) say(summary);
  else process.stdout.write(`${summary}\n`);
}

interface ReplaySummary {
  considered: number;
  /** Valid now, not replayed before: what a replay publishes. */
  valid: number;
  replayed: number;
  alreadyReplayed: number;
  truncated: number;
  stillInvalid: Record<string, number>;
  dryRun: boolean;
  seconds: number;
  perSecond: number;
}

interface Triage {
  /** Valid now and not replayed before: what a replay publishes. */
  due: ReplayEntry[];
  /** Invalid still, each with the reason and error the contract gives today. */
  stillInvalid: DeadLetterRecord[];
  /** Cut to fit the DLQ: the original bytes are gone, so never replayable. */
  truncated: number;
  alreadyReplayed: number;
}

/** Sorts the dead letters by what a replay does with each: skip (replayed before, cut to fit), publish, or report. */
function triage(letters: DeadLetterRecord[], replayed: Set<string>, decode: DecodeOptions): Triage {
  const sorted: Triage = { due: [], stillInvalid: [], truncated: 0, alreadyReplayed: 0 };
  for (const letter of letters) {
    if (replayed.has(letterId(letter))) {
      sorted.alreadyReplayed += 1;
      continue;
    }
    const verdict = replayVerdict(letter, decode);
    if (verdict.replay) sorted.due.push({ letter, eventId: verdict.eventId });
    else if (verdict.why === 'truncated') sorted.truncated += 1;
    else sorted.stillInvalid.push({ ...letter, reason: verdict.reason, error: verdict.error });
  }
  return sorted;
}

function reportTriage(considered: number, { due, stillInvalid, truncated, alreadyReplayed }: Triage): void {
  say(
    `${considered} dead letters: ${due.length} valid now, ${alreadyReplayed} replayed before, ` +
      `${stillInvalid.length} still invalid, ${truncated} cut to fit (not replayable)`,
  );
  for (const l of stillInvalid.slice(0, 20)) say(`still invalid: ${letterId(l)}: ${l.error}`);
  if (stillInvalid.length > 20) say(`… and ${stillInvalid.length - 20} more still invalid`);
}

/**
 * Re-publishes the due letters to `target` and returns how many went. Each chunk is recorded in the
 * ledger only once the broker has it: a crash in between replays it again next time, which the
 * consumer's upserts by event id make harmless.
 */
async function publishDue(
  kafka: KafkaConnection,
  ledger: ReplayLedger,
  due: ReplayEntry[],
  target: string,
  started: number,
): Promise<number> {
  say(`replaying ${due.length} to ${target}`);
  // Idempotent, acks=all, keyed by the original key: the user's partition, as the producer would send it.
  const producer = kafka.createProducer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let sent = 0;
  for (let i = 0; i < due.length; i += SEND_CHUNK) {
    const chunk = due.slice(i, i + SEND_CHUNK);
    await producer.send({
      topic: target,
      acks: -1,
      messages: chunk.map(({ letter }) => ({
        key: letter.key,
        value: letter.value,
        headers: { [REPLAYED_FROM_HEADER]: letterId(letter) },
      })),
    });
    await ledger.record(chunk, target, Date.now());
    sent += chunk.length;
    const seconds = (Date.now() - started) / 1000;
    say(`replayed ${sent}/${due.length} (${Math.round(sent / Math.max(0.001, seconds))}/s)`);
  }
  return sent;
}

async function replay(
  options: DlqOptions,
  config: AppConfig,
  kafka: KafkaConnection,
  ledger: ReplayLedger,
  letters: DeadLetterRecord[],
  replayed: Set<string>,
): Promise<ReplaySummary> {
  const started = Date.now();
  const target = config.kafka.topics.ratings;
  const sorted = triage(letters, replayed, {
    now: Date.now(),
    maxFutureSkewMs: config.batch.maxFutureSkewMs,
    maxBytes: config.batch.maxMessageBytes,
  });
  reportTriage(letters.length, sorted);
  const { due, stillInvalid, truncated, alreadyReplayed } = sorted;
  const sent = !options.dryRun && due.length > 0 ? await publishDue(kafka, ledger, due, target, started) : 0;
  const seconds = (Date.now() - started) / 1000;
  return {
    considered: letters.length,
    valid: due.length,
    replayed: sent,
    alreadyReplayed,
    truncated,
    stillInvalid: countBy(stillInvalid, (l) => l.reason),
    dryRun: options.dryRun,
    seconds,
    perSecond: sent / Math.max(0.001, seconds),
  };
}

function formatReplay(s: ReplaySummary, topic: string): string {
  const what = s.dryRun ? `would replay ${s.valid}` : `replayed ${s.replayed}`;
  return (
    `${what} of ${s.considered} dead letters to ${topic}` +
    (s.dryRun ? '' : ` in ${s.seconds.toFixed(2)} s (${Math.round(s.perSecond)}/s)`) +
    `; ${s.alreadyReplayed} replayed before, ${s.truncated} cut to fit, ` +
    `still invalid: ${describeCounts(s.stillInvalid)}`
  );
}

async function main(): Promise<number> {
  Logger.overrideLogger(new StderrLogger());
  const options = parseDlqArgs(process.argv.slice(2), Date.now());
  if (options.help) {
    process.stdout.write(`${DLQ_USAGE}\n`);
    return 0;
  }
  const config = configFromEnvironment();
  const kafka = new KafkaConnection(config);
  const session = new CassandraSession(config);
  try {
    await session.onModuleInit();
    const reader = new DeadLetterReader(kafka, session, config, say);
    const ledger = new ReplayLedger(session);
    const filters = [
      options.since !== undefined ? `since ${new Date(options.since).toISOString()}` : undefined,
      options.reasons ? `reason ${[...options.reasons].join(',')}` : undefined,
    ].filter(Boolean);
    say(`dead letters of ${config.kafka.topics.ratings}${filters.length ? ` (${filters.join(', ')})` : ''}`);
    const letters = await reader.read({ since: options.since, reasons: options.reasons });
    const replayed = await ledger.replayed(letters);
    if (options.command === 'list') {
      await list(options, letters, replayed);
      return 0;
    }
    const summary = await replay(options, config, kafka, ledger, letters, replayed);
    process.stdout.write(
      `${options.json ? JSON.stringify(summary) : formatReplay(summary, config.kafka.topics.ratings)}\n`,
    );
    return 0;
  } finally {
    await kafka.onApplicationShutdown();
    await session.onApplicationShutdown();
  }
}

runCli('dlq', DLQ_USAGE, main, [ConfigError]);
