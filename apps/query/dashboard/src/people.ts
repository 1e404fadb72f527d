/** The users of an hour as the list shows them (pure). */
import type { UserStat } from './wire';

export type UserSort = 'name' | 'count' | 'average';

/**
 * A name that would show as nothing: empty, or only white space and invisible characters. The
 * contract refuses such names, but older rows (or another writer) may hold them, and an empty row
 * in the list is worse than a visible placeholder.
 */
export function isBlankName(name: string): boolean {
  return /^[\s\u200b-\u200d\u2060\ufeff\u00ad]*$/u.test(name);
}

/** The loaded page sorted: by name as the server sends it, or by count / average, highest first. */
export function sortUsers(users: UserStat[], by: UserSort): UserStat[] {
  if (by === 'name') return users.slice();
  const key = (u: UserStat) => (by === 'count' ? u.count : (u.average ?? -1));
  return users.slice().sort((a, b) => key(b) - key(a) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The users of an answer paired with their stats; names without stats (an older server) get count 0. */
export function withStats(users: string[], stats: UserStat[] | undefined): UserStat[] {
  const byName = new Map((stats ?? []).map((s) => [s.name, s]));
  return users.map((name) => byName.get(name) ?? { name, count: 0, average: null });
}

export const formatAverage = (v: number | null | undefined, digits = 2): string =>
  v === null || v === undefined ? '–' : v.toFixed(digits);
