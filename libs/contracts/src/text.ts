import { isUtf8 } from 'node:buffer';
import { ValidateBy, ValidationOptions } from 'class-validator';

/** Longest user name, in Unicode code points. */
export const NAME_MAX = 100;
/** Longest movie title, in Unicode code points. */
export const MOVIE_MAX = 300;

/**
 * Nothing a reader could see: Unicode white space (U+3000, NBSP, the U+2000 spaces…) and
 * default-ignorable characters (zero-width space and joiners, BOM, Hangul fillers, variation selectors).
 */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}]*$/u;

/**
 * The one text rule of the contract, used for `name` (1–100) and `movie` (1–300) by the consumer's
 * event check, the REST parameters and the socket.io `subscribe` payload, so whatever is stored can
 * be asked for. Length is counted in Unicode code points (an emoji is one, whatever its UTF-16 or
 * UTF-8 size; a flag or a family emoji is several). Refused: a blank text (only white space and
 * invisible characters), control characters (C0, DEL, C1: they break logs, CSV and the dashboard, and
 * no real name has them), and lone surrogates (Cassandra and Kafka keys are UTF-8, which cannot hold
 * them, so the stored text would differ from the one sent). Returns the reason, naming the field,
 * or undefined when the text is fine.
 */
export function checkText(value: unknown, field: string, max: number): string | undefined {
  if (typeof value !== 'string') return `${field} must be a string`;
  // More UTF-16 units than twice the limit is more code points than the limit; no need to scan.
  if (value.length === 0 || value.length > 2 * max) return lengthReason(field, max);
  let codePoints = 0;
  let visibleAscii = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    codePoints += 1;
    if (c < 0x80) {
      if (c < 0x20 || c === 0x7f) return controlReason(field);
      if (c !== 0x20) visibleAscii = true;
    } else if (c <= 0x9f) {
      return controlReason(field);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = value.charCodeAt(i + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return `${field} must not hold a lone UTF-16 surrogate`;
      i += 1;
    }
  }
  if (codePoints > max) return lengthReason(field, max);
  // Most names have a visible ASCII letter; only the others need the Unicode property test.
  if (!visibleAscii && INVISIBLE_ONLY.test(value)) return `${field} must not be blank (white space or invisible only)`;
  return undefined;
}

const lengthReason = (field: string, max: number) => `${field} must be 1 to ${max} characters (Unicode code points)`;
const controlReason = (field: string) => `${field} must not contain control characters (U+0000–U+001F, U+007F–U+009F)`;

export const checkName = (value: unknown): string | undefined => checkText(value, 'name', NAME_MAX);
export const checkMovie = (value: unknown): string | undefined => checkText(value, 'movie', MOVIE_MAX);

/** class-validator form of checkText; the message names the decorated property. */
export function IsContractText(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isContractText',
      constraints: [max],
      validator: {
        validate: (value: unknown, args) => checkText(value, args?.property ?? 'text', max) === undefined,
        defaultMessage: (args) =>
          checkText(args?.value, args?.property ?? 'text', max) ?? `${args?.property ?? 'text'} is invalid`,
      },
    },
    options,
  );
}

/** A user name: what the contract, REST and the socket.io `subscribe` payload accept (see checkText). */
export const IsUserName = (options?: ValidationOptions): PropertyDecorator => IsContractText(NAME_MAX, options);
/** A movie title (see checkText). */
export const IsMovieTitle = (options?: ValidationOptions): PropertyDecorator => IsContractText(MOVIE_MAX, options);

/**
 * The consumer's check of a `ratings` message key against its (already decoded) name. The key must be
 * the name's exact UTF-8 bytes: a user's events must all hash to one partition, and a key with bytes
 * that are not UTF-8 would be read as U+FFFD, so different raw keys would pass as one user.
 * isUtf8 is native (simdutf) and strict: overlong forms, surrogates and code points past U+10FFFF fail.
 * Node's decoder replaces each of those with U+FFFD (WHATWG), which the fast path relies on.
 */
export function checkRatingKey(key: Buffer | null, name: string): string | undefined {
  if (key === null) return 'key must be the user name (the event’s name field); the message has none';
  const text = key.toString('utf8');
  // toString marks every bad sequence with U+FFFD: a key equal to a name without one is valid UTF-8,
  // and the common case is spared the native call's cost.
  if (text === name && !name.includes('\uFFFD')) return undefined;
  if (!isUtf8(key)) return `key is not valid UTF-8 (${describeUtf8Error(key)})`;
  return text === name ? undefined : 'key must be the user name (the event’s name field)';
}

/**
 * Where a buffer stops being UTF-8, for a dead letter's reason. Only called once isUtf8 has said no,
 * so the hot path never runs it.
 */
export function describeUtf8Error(bytes: Uint8Array): string {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let need: number;
    let min: number;
    if (b < 0x80) {
      i += 1;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return `byte 0x${hex(b)} at offset ${i} cannot start a character`;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return `truncated character at offset ${i}`;
      if ((c & 0xc0) !== 0x80) return `byte 0x${hex(c)} at offset ${i + k} should continue the character at ${i}`;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min) return `overlong encoding at offset ${i}`;
    if (cp >= 0xd800 && cp <= 0xdfff) return `encoded surrogate at offset ${i}`;
    if (cp > 0x10ffff) return `code point past U+10FFFF at offset ${i}`;
    i += need + 1;
  }
  return 'valid';
}

const hex = (b: number) => b.toString(16).padStart(2, '0');
