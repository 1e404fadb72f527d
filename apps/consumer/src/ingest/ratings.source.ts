import { AppConfig } from '@reeltime/config';
import { KafkaBatch, KafkaBatchServer, KafkaConnection, OffsetCommit } from '@reeltime/kafka';

export type FetchedBatch = KafkaBatch;
export type Commit = OffsetCommit;

/** The transport that reads `ratings` for the pipeline; handlers name it so no other transport gets them. */
export const RATINGS_TRANSPORT = Symbol('ratings');

const SESSION_TIMEOUT_MS = 30_000;
/**
 * How long the consumer may go without fetching, heartbeating, joining or crashing before it is replaced
 * by a new one. A healthy consumer fetches every 100 ms even while paused, and a rejoin after a broker
 * restart waits for the group's previous member to time out (one session); twice that and more means
 * kafkajs has wedged (seen after a broker restart: JoinGroup answered "coordinator is loading", then
 * silence).
 */
export const STALL_MS = 2 * SESSION_TIMEOUT_MS + 15_000;
/**
 * How long records may wait unread, fetching not paused, before the consumer is replaced: more than the
 * session a rejoin may have to wait out, so kafkajs's own recovery is not cut short.
 */
export const STARVED_MS = SESSION_TIMEOUT_MS + 15_000;

/** What the ingest needs of its transport: back-pressure, explicit commits, rebalances, an ordered stop. */
export abstract class RatingsSource {
  /** Partitions are about to move (a rebalance started) or have moved (new assignment). */
  abstract on(event: 'rebalance', callback: () => void): void;
  abstract pause(): void;
  abstract resume(): void;
  abstract commit(commits: Commit[]): Promise<void>;
  /** Resolves when no fetched batch is being handed over. */
  abstract idle(): Promise<void>;
  abstract close(): Promise<void>;
}

export function ratingsTransport(kafka: KafkaConnection, config: AppConfig): KafkaBatchServer {
  return new KafkaBatchServer(
    kafka,
    {
      groupId: config.kafka.consumerGroup,
      topics: { ratings: config.kafka.topics.ratings },
      consumer: {
        sessionTimeout: SESSION_TIMEOUT_MS,
        heartbeatInterval: 3_000,
        // Bounds what one fetch can add on top of BATCH_MAX_RECORDS while fetching is being paused.
        maxBytesPerPartition: 1_048_576,
        // Also how long kafkajs sleeps while every partition is paused: short, so a resume takes effect at once.
        maxWaitTimeInMs: 100,
        // Under load, one fetch per 64 KB (~500 ratings) rather than one per producer send; the batch
        // waits at most the 100 ms above for it.
        minBytes: 65_536,
      },
      // Offsets are committed after Cassandra has the batch's rows, never before.
      manualCommit: true,
      // A new group starts at the beginning of the topic, so a backlog written before the first start is read.
      start: 'beginning',
      onStartFailure: 'fail',
      stallMs: STALL_MS,
      starvedMs: STARVED_MS,
    },
    RATINGS_TRANSPORT,
  );
}
