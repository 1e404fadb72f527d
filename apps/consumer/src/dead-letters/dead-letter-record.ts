import { DLQ_HEADERS, DeadLetterReason, deadLetterReason } from '@reeltime/contracts';
import type { IHeaders, KafkaMessage } from '@reeltime/kafka';
import type { Row } from '@reeltime/cassandra';

/** A dead letter as an operator sees it, read from the DLQ topic or from the dead_letters table. */
export interface DeadLetterRecord {
  /** Its identity: where the message was in its source topic. */
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: number;
  key: Buffer | null;
  value: Buffer | null;
  /** The reason the consumer gave (the `error` header), and its kind. */
  error: string;
  reason: DeadLetterReason;
  /** When it was dead-lettered (DLQ message timestamp, or the table's recorded_at), epoch ms. */
  at: number;
  /** The value or key was cut to fit (the DLQ topic's size limit, or the table's 64 KiB): not replayable. */
  truncated: boolean;
  /** Where it was read: the DLQ topic (`dlq partition@offset`) or the table. */
  where: string;
}

/** `source-topic/partition/offset`: the dead letter's identity. */
export const letterId = (l: Pick<DeadLetterRecord, 'sourceTopic' | 'sourcePartition' | 'sourceOffset'>): string =>
  `${l.sourceTopic}/${l.sourcePartition}/${l.sourceOffset}`;

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
}

/** A `ratings.dlq` message; undefined when it lacks the consumer's source headers (not one of its dead letters). */
export function fromDlqMessage(dlqPartition: number, m: KafkaMessage): DeadLetterRecord | undefined {
  const topic = header(m.headers, DLQ_HEADERS.sourceTopic);
  const partition = Number(header(m.headers, DLQ_HEADERS.sourcePartition));
  const offset = Number(header(m.headers, DLQ_HEADERS.sourceOffset));
  if (topic === undefined || !Number.isInteger(partition) || !Number.isSafeInteger(offset)) return undefined;
  const error = header(m.headers, DLQ_HEADERS.error) ?? '';
  return {
    sourceTopic: topic,
    sourcePartition: partition,
    sourceOffset: offset,
    key: m.key,
    value: m.value,
    error,
    reason: deadLetterReason(error),
    at: Number(m.timestamp),
    truncated:
      header(m.headers, DLQ_HEADERS.originalSize) !== undefined ||
      header(m.headers, DLQ_HEADERS.originalKeySize) !== undefined,
    where: `dlq ${dlqPartition}@${m.offset}`,
  };
}

/** A row of the dead_letters table (see cql/007_dead_letters.cql). */
export function fromStoredRow(row: Row): DeadLetterRecord {
  const value = (row.get('value') as Buffer | null) ?? null;
  const error = String(row.get('error') ?? '');
  const originalSize = row.get('original_size') as number | null;
  return {
    sourceTopic: String(row.get('source_topic')),
    sourcePartition: Number(row.get('source_partition')),
    sourceOffset: Number(row.get('source_offset')),
    key: (row.get('key') as Buffer | null) ?? null,
    value,
    error,
    reason: deadLetterReason(error),
    at: (row.get('recorded_at') as Date | null)?.getTime() ?? 0,
    truncated: originalSize !== null && originalSize > (value?.length ?? 0),
    where: 'table',
  };
}
