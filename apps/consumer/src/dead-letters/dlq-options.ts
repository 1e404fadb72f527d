import { parseArgs } from 'node:util';
import { DEAD_LETTER_REASONS, DeadLetterReason } from '@reeltime/contracts';

export type DlqCommand = 'list' | 'replay';

export interface DlqOptions {
  command: DlqCommand;
  /** Only dead letters written at or after this time (epoch ms). */
  since?: number;
  /** Only dead letters whose reason is of one of these kinds. */
  reasons?: Set<DeadLetterReason>;
  json: boolean;
  /** replay: say what would be replayed, publish nothing. */
  dryRun: boolean;
  help: boolean;
}

export class DlqUsageError extends Error {}

export const DLQ_USAGE = `usage: npm run dlq -- <list|replay> [options]

  list                 print the dead letters (DLQ topic and dead_letters table), oldest first
  replay               re-validate them with the rating contract and re-publish the valid ones to the
                       ratings topic; each one replayed is recorded (dead_letter_replays), so a second
                       replay skips it

  --since T            only dead letters written since T: an ISO-8601 time (2026-11-21T10:00Z) or a
                       duration before now (90s, 30m, 2h, 7d)
  --reason K[,K…]      only reasons of these kinds:
                       ${DEAD_LETTER_REASONS.join(', ')}
  --dry-run            replay: say what would be replayed, publish nothing
  --json               list: one JSON object per dead letter; replay: the summary as JSON
Topics, brokers, keyspace and the contract's limits (MAX_MESSAGE_BYTES, MAX_FUTURE_SKEW_MS) come from
the usual settings: run it with the consumer's.`;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: an ISO-8601 time with a date, or a duration before `now` (90s, 30m, 2h, 7d). */
export function parseSince(text: string, now: number): number {
  const duration = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  if (duration) return now - Number(duration[1]) * UNIT_MS[duration[2]];
  const ms = /^\d{4}-\d{2}-\d{2}(?:T.*(?:Z|[+-]\d{2}:?\d{2}))?$/i.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) {
    throw new DlqUsageError(
      `--since must be an ISO-8601 date or time with its offset (2026-11-21T10:00Z) or a duration such as 90s, 30m, 2h, 7d; got "${text}"`,
    );
  }
  return ms;
}

function parseReasons(text: string): Set<DeadLetterReason> {
  const known = new Set<string>(DEAD_LETTER_REASONS);
  const kinds = text.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !known.has(k));
  if (unknown.length > 0 || kinds.length === 0) {
    throw new DlqUsageError(`--reason must be one or more of ${DEAD_LETTER_REASONS.join(', ')}; got "${text}"`);
  }
  return new Set(kinds as DeadLetterReason[]);
}

/** Parses `npm run dlq -- …`; throws DlqUsageError naming the bad command or flag. */
export function parseDlqArgs(argv: string[], now: number): DlqOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        since: { type: 'string' },
        reason: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new DlqUsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const help = values.help ?? false;
  const [command, ...rest] = positionals;
  if (help && !command) return { command: 'list', json: false, dryRun: false, help };
  if (command !== 'list' && command !== 'replay') {
    throw new DlqUsageError(
      command ? `unknown command "${command}": use list or replay` : 'a command is needed: list or replay',
    );
  }
  if (rest.length > 0) throw new DlqUsageError(`unexpected argument "${rest[0]}"`);
  const dryRun = values['dry-run'] ?? false;
  if (dryRun && command !== 'replay') throw new DlqUsageError('--dry-run applies to replay only');
  return {
    command,
    since: values.since === undefined ? undefined : parseSince(values.since, now),
    reasons: values.reason === undefined ? undefined : parseReasons(values.reason),
    json: values.json ?? false,
    dryRun,
    help,
  };
}
