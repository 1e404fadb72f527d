import { CliUsageError } from '@reeltime/runtime';
import { parseDlqArgs, parseSince } from './dlq-options';

const now = Date.parse('2026-11-21T10:30:00Z');

describe('parseDlqArgs', () => {
  it('reads a command and its filters', () => {
    const o = parseDlqArgs(['replay', '--since', '2h', '--reason', 'contract,future_time', '--dry-run'], now);
    expect(o.command).toBe('replay');
    expect(o.since).toBe(now - 2 * 3_600_000);
    expect([...o.reasons!]).toEqual(['contract', 'future_time']);
    expect(o.dryRun).toBe(true);
    expect(parseDlqArgs(['list'], now)).toMatchObject({ command: 'list', since: undefined, reasons: undefined });
  });

  it.each([
    [['list', '--since', 'yesterday'], /--since must be an ISO-8601 date or time .* got "yesterday"/],
    [['list', '--since', '10'], /--since must be/],
    [['list', '--since', '2026-11-21T10:00'], /--since must be/],
    [['list', '--reason', 'nonsense'], /--reason must be one or more of no_value, .*got "nonsense"/],
    [['list', '--reasons', 'contract'], /'--reasons'/],
    [['list', '--since'], /'--since/],
    [['purge'], /unknown command "purge": use list or replay/],
    [[], /a command is needed/],
    [['list', 'extra'], /unexpected argument "extra"/],
    [['list', '--dry-run'], /--dry-run applies to replay only/],
  ])('names what is wrong in %j', (argv, message) => {
    expect(() => parseDlqArgs(argv, now)).toThrow(CliUsageError);
    expect(() => parseDlqArgs(argv, now)).toThrow(message);
  });

  it('takes ISO times with an offset and durations in s, m, h, d', () => {
    expect(parseSince('2026-11-21T10:00Z', now)).toBe(Date.parse('2026-11-21T10:00:00Z'));
    expect(parseSince('90s', now)).toBe(now - 90_000);
    expect(parseSince('30m', now)).toBe(now - 1_800_000);
    expect(parseSince('7d', now)).toBe(now - 7 * 86_400_000);
  });
});
