import { createHash, timingSafeEqual } from 'node:crypto';

/** The token of an `Authorization: Bearer <token>` header; undefined when there is none or it is another scheme. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(value ?? '');
  return match?.[1];
}

/** Constant-time comparison (of digests, so the length of the secret does not leak either). */
export function tokenMatches(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export type TokenCheck = 'ok' | 'missing' | 'wrong';

/** What a request's Authorization header is worth against the expected token (undefined: none required). */
export function checkBearer(header: string | string[] | undefined, expected: string | undefined): TokenCheck {
  if (expected === undefined) return 'ok';
  const given = bearerToken(header);
  if (given === undefined) return 'missing';
  return tokenMatches(given, expected) ? 'ok' : 'wrong';
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped form: a peer on this machine. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
