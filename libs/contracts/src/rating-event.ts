import { isUtf8 } from 'node:buffer';
import { IsInt, IsUUID, Max, Min, ValidateBy, ValidationError, validateSync } from 'class-validator';

import { compileCheck } from './compiled-check';
import { isCalendarDateTimePrefix } from './hour';
import { IsMovieTitle, IsUserName, describeUtf8Error } from './text';

export const RATING_MIN = 1;
export const RATING_MAX = 10;

function isEventTime(value: unknown): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0;
  // ISO-8601 with a date, a time and an offset; Date.parse alone would also take "March 5" and the
  // like, would read 2026-02-30 as March 2, and would read a time without an offset in the server's
  // own time zone, so the same event would land in different hours on different machines.
  return (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) &&
    /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) &&
    isCalendarDateTimePrefix(value) &&
    !Number.isNaN(Date.parse(value))
  );
}

/**
 * A viewer's rating, one per Kafka message on the `ratings` topic (key = `name`). The producer builds
 * these and the consumer checks incoming messages against the same rules.
 */
export class RatingEvent {
  /** The idempotency key: every write derived from this event is an upsert keyed by it. */
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;

  /** 1–100 Unicode code points, not blank, no control characters (see checkText). */
  @IsUserName()
  name!: string;

  /** 1–300 Unicode code points, same rule as name. */
  @IsMovieTitle()
  movie!: string;

  @IsInt({ message: 'rating must be an integer' })
  @Min(RATING_MIN, { message: `rating must be from ${RATING_MIN} to ${RATING_MAX}` })
  @Max(RATING_MAX, { message: `rating must be from ${RATING_MIN} to ${RATING_MAX}` })
  rating!: number;

  @ValidateBy({
    name: 'isEventTime',
    validator: {
      validate: isEventTime,
      defaultMessage: () =>
        'time must be an ISO-8601 date-time string with an offset (a real calendar date and time, ending in Z or ±hh:mm) or epoch milliseconds',
    },
  })
  time!: string | number;
}

/** A rating that passed validation, with its time as epoch milliseconds. */
export interface Rating {
  id: string;
  name: string;
  movie: string;
  rating: number;
  time: number;
}

export type DecodeResult = { ok: true; rating: Rating } | { ok: false; reason: string };

export interface DecodeOptions {
  now: number;
  maxFutureSkewMs: number;
  maxBytes: number;
}

function describe(errors: ValidationError[]): string {
  return errors
    .map((e) => [...new Set(Object.values(e.constraints ?? { invalid: `${e.property} is invalid` }))].join(', '))
    .join('; ');
}

const passes = compileCheck(RatingEvent);

/** Validates a plain object against the contract; returns the reasons, naming each bad field. */
export function validateRatingEvent(value: unknown): { ok: true; event: RatingEvent } | { ok: false; reason: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'message must be a JSON object' };
  }
  // The common case, a valid event, skips validateSync's bookkeeping; a failing one gets its messages from it.
  if (passes?.(value as Record<string, unknown>)) return { ok: true, event: value as RatingEvent };
  const event = Object.assign(new RatingEvent(), value);
  const errors = validateSync(event, { validationError: { target: false, value: false } });
  return errors.length ? { ok: false, reason: describe(errors) } : { ok: true, event };
}

/** Turns a Kafka message value into a Rating, or says exactly why it breaks the contract. */
export function decodeRatingEvent(value: Buffer | null, options: DecodeOptions): DecodeResult {
  if (value === null || value.length === 0) return { ok: false, reason: 'message has no value' };
  if (value.length > options.maxBytes) {
    return { ok: false, reason: `message is ${value.length} bytes, more than the limit of ${options.maxBytes}` };
  }
  // RFC 8259 forbids a BOM on JSON sent over a network; JSON.parse's own error would not say why.
  if (value[0] === 0xef && value[1] === 0xbb && value[2] === 0xbf) {
    return { ok: false, reason: 'message starts with a UTF-8 byte order mark, which JSON must not have' };
  }
  const text = value.toString('utf8');
  // Refused, not repaired: toString turns each bad sequence into U+FFFD, so different bytes would
  // become the same name or title. Only a text holding U+FFFD can have been repaired, and the native
  // check costs several times the search, so it runs only then.
  if (text.includes('\uFFFD') && !isUtf8(value)) {
    return { ok: false, reason: `message is not valid UTF-8 (${describeUtf8Error(value)})` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `message is not valid JSON: ${(err as Error).message}` };
  }
  const checked = validateRatingEvent(parsed);
  if (!checked.ok) return checked;
  const { id, name, movie, rating, time } = checked.event;
  const ms = typeof time === 'number' ? time : Date.parse(time);
  if (ms > options.now + options.maxFutureSkewMs) {
    return {
      ok: false,
      reason: `time is ${ms - options.now} ms in the future, more than ${options.maxFutureSkewMs} ms`,
    };
  }
  return { ok: true, rating: { id: id.toLowerCase(), name, movie, rating, time: ms } };
}

/** The wire form the producer writes: JSON with the time as an ISO-8601 string. */
export function encodeRatingEvent(rating: Rating): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: rating.id,
      name: rating.name,
      movie: rating.movie,
      rating: rating.rating,
      time: new Date(rating.time).toISOString(),
    }),
  );
}
