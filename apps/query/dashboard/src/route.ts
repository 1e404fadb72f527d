/**
 * What the address says the page shows: `#/` live, `#/?hour=<iso>` a past hour, `#/user/<name>` a
 * user (now), `#/user/<name>?hour=<iso>` a user in a past hour. Pure: parse and format only.
 */
import { isoHour, parseIsoHour } from './time';

export interface Route {
  /** The user whose page is open, if any. */
  user?: string;
  /** A UTC hour start, or undefined for "live: follow now". */
  hour?: number;
}

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, '');
  const [path, query = ''] = splitOnce(text, '?');
  const route: Route = {};
  const userMatch = /^\/?user\/(.+)$/.exec(path);
  if (userMatch) {
    try {
      route.user = decodeURIComponent(userMatch[1]);
    } catch {
      route.user = userMatch[1]; // a malformed escape: take the text as it is
    }
  }
  const hour = new URLSearchParams(query).get('hour');
  if (hour) route.hour = parseIsoHour(hour);
  return route;
}

export function formatRoute(route: Route): string {
  const path = route.user === undefined ? '#/' : `#/user/${encodeURIComponent(route.user)}`;
  return route.hour === undefined ? path : `${path}?hour=${isoHour(route.hour)}`;
}

function splitOnce(text: string, sep: string): [string, string?] {
  const at = text.indexOf(sep);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}
