/** Headers the consumer puts on every `ratings.dlq` message (value and key are the original bytes). */
export const DLQ_HEADERS = {
  error: 'error',
  sourceTopic: 'source-topic',
  sourcePartition: 'source-partition',
  sourceOffset: 'source-offset',
  /** Only on a dead letter whose value was too large to forward whole: the value's size and digest. */
  originalSize: 'original-size',
  originalSha256: 'original-sha256',
  /** Likewise for a key that had to be cut too (only when the key alone would not fit). */
  originalKeySize: 'original-key-size',
  originalKeySha256: 'original-key-sha256',
} as const;

/**
 * The kinds of reason a message is dead-lettered for: a short, bounded set (a metric label, a filter
 * of `npm run dlq`), derived from the `error` header's text, which says exactly what was wrong.
 */
export const DEAD_LETTER_REASONS = [
  'no_value',
  'too_large',
  'not_utf8',
  'not_json',
  'contract',
  'future_time',
  'key',
  'other',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** Field names of the rating event: a reason naming one of them is a contract violation. */
const CONTRACT_FIELD = /^(?:id|name|movie|rating|time) |^message must be a JSON object/;

/**
 * The kind of a dead letter's reason, as decodeRatingEvent and checkRatingKey word it. Reads the text,
 * so dead letters written before a reason was reworded still get a kind ('other' at worst).
 */
export function deadLetterReason(error: string): DeadLetterReason {
  if (error.startsWith('message has no value')) return 'no_value';
  if (/^message is \d+ bytes, more than the limit/.test(error)) return 'too_large';
  if (error.startsWith('message is not valid UTF-8')) return 'not_utf8';
  if (
    error.startsWith('message is not valid JSON') ||
    error.startsWith('message starts with a UTF-8 byte order mark')
  ) {
    return 'not_json';
  }
  if (/^time is -?\d+ ms in the future/.test(error)) return 'future_time';
  if (error.startsWith('key ')) return 'key';
  if (CONTRACT_FIELD.test(error)) return 'contract';
  return 'other';
}
