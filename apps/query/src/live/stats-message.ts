import { HourlyStats, RATING_MAX, checkName, parseHour, toHourlyStats } from '@reeltime/contracts';

export type StatsMessageResult = { ok: true; stats: HourlyStats; hour: number } | { ok: false; reason: string };

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isRatingOrNull = (v: unknown): v is number | null =>
  v === null || (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= RATING_MAX);

/**
 * Reads a `user-hour-stats` message. Only well-formed stats are used (to drop cache entries and to push
 * to sockets); anything else is reported, never forwarded to a browser.
 */
export function parseStatsMessage(value: Buffer | null): StatsMessageResult {
  if (!value || value.length === 0) return { ok: false, reason: 'message has no value' };
  let raw: unknown;
  try {
    raw = JSON.parse(value.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `not valid JSON: ${(err as Error).message}` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'not a JSON object' };
  const m = raw as Record<string, unknown>;
  // The rule the consumer stored the name under; a name it could not have written is not forwarded.
  const badName = checkName(m.name);
  if (badName !== undefined) return { ok: false, reason: badName };
  const hour = typeof m.hour === 'string' ? parseHour(m.hour) : undefined;
  if (!hour?.ok) return { ok: false, reason: 'hour must be the ISO-8601 start of an hour' };
  if (!isCount(m.count) || !isCount(m.sum)) return { ok: false, reason: 'count and sum must be non-negative integers' };
  if (!isRatingOrNull(m.min) || !isRatingOrNull(m.max))
    return { ok: false, reason: 'min and max must be 1 to 10 or null' };
  if (!Array.isArray(m.histogram) || m.histogram.length !== RATING_MAX || !m.histogram.every(isCount)) {
    return { ok: false, reason: `histogram must be ${RATING_MAX} counts` };
  }
  const updatedAt = typeof m.updatedAt === 'string' && !Number.isNaN(Date.parse(m.updatedAt)) ? m.updatedAt : null;
  if (!updatedAt) return { ok: false, reason: 'updatedAt must be an ISO-8601 date-time' };
  // The shape is built in one place (libs/contracts), from the validated fields.
  const aggregate = { count: m.count, sum: m.sum, min: m.min, max: m.max, histogram: m.histogram };
  const stats = toHourlyStats(m.name as string, hour.hour, aggregate, Date.parse(updatedAt));
  return { ok: true, stats, hour: hour.hour };
}
