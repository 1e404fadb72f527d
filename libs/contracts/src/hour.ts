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

/** The shape of an hour as the REST API takes it (parseHour then checks the calendar and the start of the hour). */
export const HOUR_FORMAT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const digits2 = (s: string, at: number) => (s.charCodeAt(at) - 48) * 10 + (s.charCodeAt(at + 1) - 48);

/**
 * For a string already known to start `YYYY-MM-DDTHH:MM` (digits in place): whether that date, hour,
 * minute and any `:SS` after them exist on the calendar. Date.parse rolls impossible values over
 * (Feb 30 becomes Mar 2), so an event's time is checked with this first. No allocation: it runs on
 * every rating the consumer reads.
 */
export function isCalendarDateTimePrefix(s: string): boolean {
  const year = digits2(s, 0) * 100 + digits2(s, 2);
  const month = digits2(s, 5);
  const day = digits2(s, 8);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (digits2(s, 11) > 23 || digits2(s, 14) > 59) return false;
  return s.charCodeAt(16) !== 58 /* ':' */ || digits2(s, 17) <= 59;
}

/**
 * Parses an hour as the REST API takes it: `2026-11-21T10:00:00Z`, `2026-11-21T10:00Z`, `2026-11-21T10`
 * (UTC when no offset is given). It must be a real calendar hour and the start of it. Each field is
 * checked here because Date.parse rolls impossible values over (Feb 30 becomes Mar 2, T24:00 the next
 * day), which would answer a question nobody asked.
 */
export function parseHour(input: string): HourParseResult {
  const match = HOUR_FORMAT.exec(input);
  if (!match) {
    return {
      ok: false,
      reason: 'must be an ISO-8601 hour such as 2026-11-21T10:00:00Z, 2026-11-21T10:00Z or 2026-11-21T10',
    };
  }
  const [, y, mo, d, h, mi = '00', s = '00', frac = '0', zone = 'Z'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (month < 1 || month > 12) return { ok: false, reason: `has month ${mo}; months are 01 to 12` };
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) {
    return { ok: false, reason: `has day ${d}; ${MONTHS[month - 1]} ${y} has ${days} days` };
  }
  if (hour > 23) return { ok: false, reason: `has hour ${h}; hours are 00 to 23` };
  if (minute > 59 || second > 59) return { ok: false, reason: 'has minutes or seconds past 59' };
  if (minute !== 0 || second !== 0 || Number(frac) !== 0) {
    return { ok: false, reason: 'must be the start of an hour (minutes, seconds and milliseconds zero)' };
  }
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const digits = zone.replace(':', '');
    const [oh, om] = [Number(digits.slice(1, 3)), Number(digits.slice(3, 5))];
    if (oh > 23 || om > 59) return { ok: false, reason: `has offset ${zone}; offsets are -23:59 to +23:59` };
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const date = new Date(Date.UTC(year, month - 1, day, hour));
  // Date.UTC reads years 0–99 as 1900–1999.
  if (year < 100) date.setUTCFullYear(year);
  const ms = date.getTime() - offsetMinutes * MINUTE_MS;
  // An offset of a non-whole number of hours moves the start of a local hour off a UTC hour.
  if (ms % HOUR_MS !== 0)
    return { ok: false, reason: 'must be the start of a UTC hour (its offset is not whole hours)' };
  return { ok: true, hour: ms };
}
