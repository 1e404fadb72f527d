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
