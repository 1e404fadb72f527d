export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** Event time, not arrival time: the UTC hour an event belongs to. */
export function hourStart(epochMs: number): number {
  return Math.floor(epochMs / HOUR_MS) * HOUR_MS;
}

export function minuteStart(epochMs: number): number {
  return Math.floor(epochMs / MINUTE_MS) * MINUTE_MS;
}

export type HourParseResult = { ok: true; hour: number } | { ok: false; reason: string };

/**
 * Parses an hour as the REST API takes it: `2026-11-21T10:00:00Z`, `2026-11-21T10:00Z`, `2026-11-21T10`
 * (UTC when no offset is given). It must be the start of an hour.
 */
export function parseHour(input: string): HourParseResult {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    input,
  );
  if (!match) {
    return {
      ok: false,
      reason: 'must be an ISO-8601 hour such as 2026-11-21T10:00:00Z, 2026-11-21T10:00Z or 2026-11-21T10',
    };
  }
  const [, y, mo, d, h, mi = '00', s = '00', frac = '0', zone = 'Z'] = match;
  const offset = zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${frac.padEnd(3, '0')}${offset}`);
  if (Number.isNaN(ms)) return { ok: false, reason: `is not a valid date-time: ${input}` };
  if (ms % HOUR_MS !== 0)
    return { ok: false, reason: 'must be the start of an hour (minutes, seconds and milliseconds zero)' };
  return { ok: true, hour: ms };
}
