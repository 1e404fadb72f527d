import { Injectable } from '@nestjs/common';
import { CassandraSession } from '@reeltime/cassandra';
import { createHash } from 'node:crypto';
import { types } from 'cassandra-driver';
import { mapLimit } from '@reeltime/runtime';

/** A dead letter as the fallback table keeps it (see cql/007_dead_letters.cql). */
export interface StoredDeadLetter {
  topic: string;
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  reason: string;
}

/** Where dead letters go when the DLQ topic does not take them. */
export abstract class DeadLetterStore {
  /** Upserts dead letters, with why the DLQ topic did not take them (`publishError`). */
  abstract write(letters: StoredDeadLetter[], publishError: string, recordedAt: number): Promise<void>;
}

const UPSERT =
  'INSERT INTO dead_letters (source_topic, source_partition, bucket, source_offset, key, value, original_size, ' +
  'original_sha256, error, publish_error, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
/** Offsets per partition of the table (also of dead_letter_replays), and the longest value kept (see the table's comment). */
export const BUCKET_OFFSETS = 1000;
const VALUE_BYTES = 64 * 1024;
const IN_FLIGHT = 8;

@Injectable()
export class CassandraDeadLetterStore extends DeadLetterStore {
  constructor(private readonly session: CassandraSession) {
    super();
  }

  async write(letters: StoredDeadLetter[], publishError: string, recordedAt: number): Promise<void> {
    const at = new Date(recordedAt);
    // Rows of many partitions: one statement each (a multi-partition batch would only load the coordinator).
    await mapLimit(letters, IN_FLIGHT, (l) => {
      const value = l.value ?? Buffer.alloc(0);
      return this.session.execute(UPSERT, [
        l.topic,
        l.partition,
        types.Long.fromNumber(Math.floor(l.offset / BUCKET_OFFSETS)),
        types.Long.fromNumber(l.offset),
        l.key,
        value.subarray(0, VALUE_BYTES),
        value.length,
        createHash('sha256').update(value).digest('hex'),
        l.reason,
        publishError,
        at,
      ]);
    });
  }
}
