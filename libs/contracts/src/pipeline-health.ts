/**
 * What the consumer tells the query services about each flush, as one header on the first
 * `user-hour-stats` message the flush publishes: when its batch opened (the consumer received its first
 * rating), when the flush started, how many ratings it wrote and how long the Cassandra write took.
 * The dashboard's "last flush" and freshness figures come from it. Times are epoch milliseconds.
 */
export const FLUSH_HEADER = 'flush';

export interface FlushReport {
  openedAt: number;
  startedAt: number;
  ratings: number;
  writeMs: number;
}

export function encodeFlushReport(report: FlushReport): string {
  return JSON.stringify(report);
}

/** The report a header carries, or undefined when it is missing or not one (never throws). */
export function parseFlushReport(header: Buffer | string | undefined): FlushReport | undefined {
  if (header === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(header.toString());
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const fields = ['openedAt', 'startedAt', 'ratings', 'writeMs'] as const;
  if (!fields.every((f) => typeof r[f] === 'number' && Number.isFinite(r[f]) && r[f] >= 0)) {
    return undefined;
  }
  return {
    openedAt: r.openedAt as number,
    startedAt: r.startedAt as number,
    ratings: r.ratings as number,
    writeMs: r.writeMs as number,
  };
}

export type ServiceState = 'up' | 'down' | 'unknown';

/** The socket.io `health` event: the pipeline as one query instance sees it. */
export interface PipelineHealth {
  time: string;
  instance: string;
  /** ratings/s arriving on the ratings topic. */
  ratingsIn: number;
  /** ratings/s the consumer group committed over the last minute (its committed offsets' growth); null while unknown. */
  ratingsWritten: number | null;
  lag: { total: number | null; partitions: Array<{ partition: number; lag: number }> };
  /** The newest flush this instance heard of (flushes that wrote at least one user-hour). */
  lastFlush: { at: string; ageMs: number; ratings: number; durationMs: number } | null;
  /** Dead letters published in the last minute, and the newest few with their reasons. */
  deadLetters: { perMinute: number; latest: Array<{ reason: string; error: string; time: string }> };
  /**
   * From a batch's first rating reaching the consumer to this instance pushing the batch's stats, one
   * sample per flush over the last minute; null without a flush in that minute.
   */
  freshness: { p50Ms: number; p99Ms: number; samples: number } | null;
  /** `producer`: its /health/ready, when the query service knows its URL (QUERY_PRODUCER_URL). */
  services: {
    kafka: ServiceState;
    cassandra: ServiceState;
    consumer: ServiceState;
    producer: ServiceState;
    query: 'up';
  };
}
