import { DEAD_LETTER_REASONS, DeadLetterReason } from '@reeltime/contracts';
import { CliUsageError, listOption, parseCommandLine } from '@reeltime/runtime';

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
    throw new CliUsageError(
      `--since must be an ISO-8601 date or time with its offset (2026-11-21T10:00Z) or a duration such as 90s, 30m, 2h, 7d; got "${text}"`,
    );
  }
  return ms;
}

const OPTIONS = {
  since: { type: 'string' },
  reason: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Parses `npm run dlq -- …`; throws CliUsageError naming the bad command or flag. */
export function parseDlqArgs(argv: string[], now: number): DlqOptions {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, { positionals: true });
  const help = values.help ?? false;
  const [command, ...rest] = positionals;
  if (help && !command) return { command: 'list', json: false, dryRun: false, help };
  if (command !== 'list' && command !== 'replay') {
    throw new CliUsageError(
      command ? `unknown command "${command}": use list or replay` : 'a command is needed: list or replay',
    );
  }
  if (rest.length > 0) throw new CliUsageError(`unexpected argument "${rest[0]}"`);
  const dryRun = values['dry-run'] ?? false;
  if (dryRun && command !== 'replay') throw new CliUsageError('--dry-run applies to replay only');
  return {
    command,
    since: values.since === undefined ? undefined : parseSince(values.since, now),
    reasons:
      values.reason === undefined ? undefined : new Set(listOption('reason', values.reason, DEAD_LETTER_REASONS)),
    json: values.json ?? false,
    dryRun,
    help,
  };
}
