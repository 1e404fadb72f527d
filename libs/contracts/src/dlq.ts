/** Headers the consumer puts on every `ratings.dlq` message (value and key are the original bytes). */
export const DLQ_HEADERS = {
  error: 'error',
  sourceTopic: 'source-topic',
  sourcePartition: 'source-partition',
  sourceOffset: 'source-offset',
} as const;
