/** Hours and days as the page shows them: in the viewer's time zone or in UTC (pure, no DOM). */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export type Zone = 'local' | 'utc';

export const hourStart = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;
export const isoHour = (ms: number): string => new Date(hourStart(ms)).toISOString();

/** An ISO start of a UTC hour (the forms the API accepts and hands out), or undefined. */
export function parseIsoHour(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}(:00(:00(\.000)?)?)?Z?$/.test(text)) return undefined;
  const [date, time] = text.replace(/Z$/, '').split('T');
  const ms = Date.parse(`${date}T${time.slice(0, 2)}:00:00Z`);
  // Date.parse rolls Feb 30 over to March: only a date that comes back as written is one.
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 13) !== `${date}T${time.slice(0, 2)}` ? undefined : ms;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function format(zone: Zone, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${zone}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { ...options, ...(zone === 'utc' ? { timeZone: 'UTC' } : {}) });
    formats.set(key, f);
  }
  return f;
}

/** "14:00" */
export const clock = (ms: number, zone: Zone): string =>
  format(zone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);

/** "14:00:05" */
export const clockSeconds = (ms: number, zone: Zone): string =>
  format(zone, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(ms);

/** "3 Dec" */
export const dayMonth = (ms: number, zone: Zone): string => format(zone, { day: 'numeric', month: 'short' }).format(ms);

/** "Tue 3" */
export const weekdayDay = (ms: number, zone: Zone): string =>
  format(zone, { weekday: 'short', day: 'numeric' }).format(ms);

/** "14:00–15:00, 3 Dec" for the hour starting at `hour`. */
export const hourRange = (hour: number, zone: Zone): string =>
  `${clock(hour, zone)}–${clock(hour + HOUR_MS, zone)}, ${dayMonth(hour, zone)}`;

/** The calendar day of an instant in the zone, as "2026-12-03". */
export function dayKey(ms: number, zone: Zone): string {
  const parts = format(zone, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The zone's name for the toggle and captions: "UTC", or the viewer's ("Europe/Paris"). */
export const zoneName = (zone: Zone): string =>
  zone === 'utc' ? 'UTC' : (Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'local time');

export interface Day {
  key: string;
  /** The hours (UTC hour starts, oldest first) whose start falls on this day in the zone, up to now. */
  hours: number[];
}

/**
 * The last `count` days in the zone, oldest first, each with its hours up to the current one. Hours
 * are the API's (UTC hour starts); in a zone half an hour off UTC they start at :30 locally.
 */
export function recentDays(now: number, zone: Zone, count: number): Day[] {
  const days: Day[] = [];
  const last = hourStart(now);
  // Walk back hour by hour: a day in a zone with daylight saving has 23 or 25 of them.
  for (let h = last; days.length <= count; h -= HOUR_MS) {
    const key = dayKey(h, zone);
    if (days[0]?.key !== key) {
      if (days.length === count) break;
      days.unshift({ key, hours: [] });
    }
    days[0].hours.unshift(h);
  }
  return days;
}

/** "just now", "42 s", "3 min", "2 h" since `ms`. */
export function age(ms: number): string {
  if (ms < 1000) return 'just now';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < HOUR_MS) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / HOUR_MS)} h`;
}

/** A duration in ms as "850 ms" or "2.4 s". */
export const duration = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
