import { randomUUID } from 'node:crypto';
import { AppConfig } from '@reeltime/config';
import { CassandraSession } from '@reeltime/cassandra';
import { KafkaConnection } from '@reeltime/kafka';
import type { Batch } from 'kafkajs';
import { DeadLetterRecord, fromDlqMessage, fromStoredRow, letterId } from './dead-letter-record';

export interface DeadLetterFilter {
  since?: number;
  reasons?: Set<string>;
}

interface Range {
  partition: number;
  start: number;
  end: number;
}

const STORED = 'SELECT * FROM dead_letters';
/** The read of the DLQ topic fails when no message arrives for this long while some are still due. */
const STALL_MS = 30_000;

/**
 * Reads the dead letters where the consumer leaves them: the DLQ topic (up to its end when the read
 * starts) and the dead_letters table (letters the topic did not take). A letter in both (a publish that
 * outlived its budget) or published twice (a redelivered batch) is one letter: they are merged by their
 * source topic, partition and offset.
 */
export class DeadLetterReader {
  constructor(
    private readonly kafka: KafkaConnection,
    private readonly session: CassandraSession,
    private readonly config: AppConfig,
    private readonly say: (line: string) => void,
  ) {}

  async read(filter: DeadLetterFilter): Promise<DeadLetterRecord[]> {
    const keep = (l: DeadLetterRecord): boolean =>
      (filter.since === undefined || l.at >= filter.since) && (!filter.reasons || filter.reasons.has(l.reason));
    const fromTopic = await this.readTopic(filter.since);
    const fromTable = await this.readTable();
    const byId = new Map<string, DeadLetterRecord>();
    for (const letter of [...fromTopic, ...fromTable]) {
      if (!keep(letter)) continue;
      const id = letterId(letter);
      const seen = byId.get(id);
      if (!seen || (seen.truncated && !letter.truncated)) byId.set(id, letter);
    }
    return [...byId.values()].sort(
      (a, b) =>
        a.at - b.at ||
        a.sourceTopic.localeCompare(b.sourceTopic) ||
        a.sourcePartition - b.sourcePartition ||
        a.sourceOffset - b.sourceOffset,
    );
  }

  private async readTable(): Promise<DeadLetterRecord[]> {
    // The table holds only what the topic refused, so a scan of it is small; paged, prepared.
    const rows = await this.session.all(STORED, [], 500);
    this.say(`read ${rows.length} dead letters from the dead_letters table`);
    return rows.map(fromStoredRow);
  }

  /** Where each DLQ partition's read starts (the first offset at or after `since`) and ends (its end now). */
  private async ranges(topic: string, since: number | undefined): Promise<Range[]> {
    const admin = await this.kafka.admin();
    const ends = await admin.fetchTopicOffsets(topic);
    const starts = new Map<number, number>();
    if (since !== undefined) {
      for (const p of await admin.fetchTopicOffsetsByTimestamp(topic, since)) starts.set(p.partition, Number(p.offset));
    }
    return ends.map((e) => {
      const low = Number(e.low);
      const end = Number(e.high);
      const at = starts.get(e.partition) ?? low;
      // -1: no message at or after `since` in this partition.
      return { partition: e.partition, start: at < 0 ? end : Math.min(end, Math.max(low, at)), end };
    });
  }

  private async readTopic(since: number | undefined): Promise<DeadLetterRecord[]> {
    const topic = this.config.kafka.topics.dlq;
    const admin = await this.kafka.admin();
    if (!(await admin.listTopics()).includes(topic)) {
      this.say(`topic ${topic} does not exist: no dead letter was ever published`);
      return [];
    }
    const ranges = await this.ranges(topic, since);
    const due = new Map(ranges.filter((r) => r.start < r.end).map((r) => [r.partition, r]));
    const total = [...due.values()].reduce((n, r) => n + r.end - r.start, 0);
    this.say(`reading ${total} messages from ${topic} (${due.size} of ${ranges.length} partitions)`);
    return total === 0 ? [] : this.readRanges(topic, ranges, due, total);
  }

  /** Reads every message of the `due` ranges, with progress each second and an error after a stall. */
  private async readRanges(
    topic: string,
    ranges: Range[],
    due: Map<number, Range>,
    total: number,
  ): Promise<DeadLetterRecord[]> {
    // kafkajs reads only as a group member: a group of this read's own, deleted afterwards, that never commits.
    const groupId = `${this.config.kafka.clientId}.dlq-cli.${randomUUID()}`;
    const consumer = this.kafka.createConsumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 30_000 });
    const read: ReadProgress = { letters: [], read: 0, lastProgress: Date.now() };
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          collect(batch, due, read);
          if (due.size === 0) finish();
          await Promise.resolve();
        },
      });
      for (const r of ranges) consumer.seek({ topic, partition: r.partition, offset: String(r.start) });
      await this.untilRead(topic, finished, read, total);
    } finally {
      await consumer.stop().catch(() => undefined);
      await this.kafka.closeOwnGroup(consumer, groupId);
    }
    return read.letters;
  }

  /** Waits for `finished`, saying how far the read is each second; rejects when nothing came for STALL_MS. */
  private async untilRead(topic: string, finished: Promise<void>, read: ReadProgress, total: number): Promise<void> {
    const progress = setInterval(() => this.say(`read ${read.read}/${total} messages from ${topic}`), 1000);
    let stall: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        stall = setInterval(() => {
          if (Date.now() - read.lastProgress > STALL_MS) {
            reject(
              new Error(`no message from ${topic} for ${STALL_MS / 1000} s with ${total - read.read} still to read`),
            );
          }
        }, 1000);
        finished.then(resolve, reject);
      });
    } finally {
      clearInterval(stall);
      clearInterval(progress);
    }
    this.say(`read ${read.read}/${total} messages from ${topic}`);
  }
}

interface ReadProgress {
  letters: DeadLetterRecord[];
  read: number;
  lastProgress: number;
}

/** Takes a fetched batch's messages that fall in their partition's range; a partition read to its end is done. */
function collect(batch: Batch, due: Map<number, Range>, progress: ReadProgress): void {
  const range = due.get(batch.partition);
  if (!range) return;
  for (const m of batch.messages) {
    const offset = Number(m.offset);
    if (offset < range.start || offset >= range.end) continue;
    progress.read += 1;
    progress.lastProgress = Date.now();
    const letter = fromDlqMessage(batch.partition, m);
    if (letter) progress.letters.push(letter);
  }
  if (Number(batch.lastOffset()) >= range.end - 1) due.delete(batch.partition);
}
