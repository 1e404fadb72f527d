import {
  DecodeOptions,
  DeadLetterReason,
  checkRatingKey,
  deadLetterReason,
  decodeRatingEvent,
} from '@reeltime/contracts';
import { DeadLetterRecord } from './dead-letter-record';

export type ReplayVerdict =
  | { replay: true; eventId: string }
  | { replay: false; why: 'truncated' }
  | { replay: false; why: 'invalid'; reason: DeadLetterReason; error: string };

/**
 * Whether a dead letter may go back to the ratings topic: it must be whole (a cut value would be
 * refused again, or worse, read as another event) and pass the consumer's own checks, the contract
 * decoder and the key rule, under the settings in force now (e.g. a raised MAX_MESSAGE_BYTES, or a
 * time that was too far ahead and no longer is).
 */
export function replayVerdict(letter: DeadLetterRecord, options: DecodeOptions): ReplayVerdict {
  if (letter.truncated) return { replay: false, why: 'truncated' };
  const decoded = decodeRatingEvent(letter.value, options);
  const error = decoded.ok ? checkRatingKey(letter.key, decoded.rating.name) : decoded.reason;
  if (decoded.ok && error === undefined) return { replay: true, eventId: decoded.rating.id };
  const text = error ?? 'invalid';
  return { replay: false, why: 'invalid', reason: deadLetterReason(text), error: text };
}
