import { CassandraSession } from '@reeltime/cassandra';
import { types } from 'cassandra-driver';
import { BUCKET_OFFSETS } from '../storage/dead-letter.store';
import { DeadLetterRecord, letterId } from './dead-letter-record';
import { mapLimit } from '@reeltime/runtime';

const REPLAYED =
  'SELECT source_offset FROM dead_letter_replays WHERE source_topic = ? AND source_partition = ? AND bucket = ?';
const RECORD =
  'INSERT INTO dead_letter_replays (source_topic, source_partition, bucket, source_offset, event_id, target_topic, ' +
  'replayed_at) VALUES (?, ?, ?, ?, ?, ?, ?)';
const IN_FLIGHT = 16;
/** Rows per single-partition unlogged batch: ~100 bytes each, under Cassandra's 5 KiB batch warning. */
const BATCH_ROWS = 40;

const bucketOf = (offset: number): number => Math.floor(offset / BUCKET_OFFSETS);

export interface ReplayEntry {
  letter: DeadLetterRecord;
  eventId: string;
}

/** The record of which dead letters have been replayed (cql/008_dead_letter_replays.cql). */
export class ReplayLedger {
  constructor(private readonly session: CassandraSession) {}

  /** The ids (letterId) of those of `letters` that were replayed before: one read per 1,000 source offsets. */
  async replayed(letters: DeadLetterRecord[]): Promise<Set<string>> {
    const partitions = new Map<string, [string, number, number]>();
    for (const l of letters) {
      const bucket = bucketOf(l.sourceOffset);
      partitions.set(`${l.sourceTopic}/${l.sourcePartition}/${bucket}`, [l.sourceTopic, l.sourcePartition, bucket]);
    }
    const done = new Set<string>();
    await mapLimit([...partitions.values()], IN_FLIGHT, async ([topic, partition, bucket]) => {
      const rows = await this.session.all(REPLAYED, [topic, partition, types.Long.fromNumber(bucket)], 1000);
      for (const r of rows) {
        done.add(
          letterId({ sourceTopic: topic, sourcePartition: partition, sourceOffset: Number(r.get('source_offset')) }),
        );
      }
    });
    return done;
  }

  /** Records replayed letters: the rows of one ledger partition go in unlogged single-partition batches. */
  async record(entries: ReplayEntry[], targetTopic: string, at: number): Promise<void> {
    const when = new Date(at);
    const byPartition = new Map<string, ReplayEntry[]>();
    for (const e of entries) {
      const key = `${e.letter.sourceTopic}/${e.letter.sourcePartition}/${bucketOf(e.letter.sourceOffset)}`;
      let group = byPartition.get(key);
      if (!group) byPartition.set(key, (group = []));
      group.push(e);
    }
    const batches = [...byPartition.values()].flatMap((group) =>
      Array.from({ length: Math.ceil(group.length / BATCH_ROWS) }, (_, i) =>
        group.slice(i * BATCH_ROWS, (i + 1) * BATCH_ROWS),
      ),
    );
    await mapLimit(batches, IN_FLIGHT, (batch) =>
      this.session.batch(
        batch.map(({ letter, eventId }) => ({
          query: RECORD,
          params: [
            letter.sourceTopic,
            letter.sourcePartition,
            types.Long.fromNumber(bucketOf(letter.sourceOffset)),
            types.Long.fromNumber(letter.sourceOffset),
            eventId,
            targetTopic,
            when,
          ],
        })),
      ),
    );
  }
}
