import { Injectable } from '@nestjs/common';
import { DLQ_HEADERS, FlushReport, PipelineHealth, deadLetterReason } from '@reeltime/contracts';

const MINUTE_MS = 60_000;
/** Flushes kept for the freshness percentiles: a minute of them at BATCH_INTERVAL_MS=100 at most. */
const MAX_FLUSH_SAMPLES = 600;
export const LATEST_DEAD_LETTERS = 5;
/** An error text is cut to this many characters: the dashboard shows a line, not a payload. */
const MAX_ERROR_CHARS = 200;

/** The value at quantile q (0–1) of numbers sorted ascending (nearest rank). */
export function quantile(sorted: number[], q: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** The flushes this instance heard of through the stats messages' flush reports. */
@Injectable()
export class FlushWatch {
  private last: { report: FlushReport; seenAt: number } | undefined;
  /** [seenAt, freshness ms], oldest first. */
  private samples: Array<[number, number]> = [];

  /** A flush's report, read as its stats were handed to the sockets (`now`). */
  seen(report: FlushReport, now: number): void {
    if (!this.last || report.startedAt >= this.last.report.startedAt) this.last = { report, seenAt: now };
    this.samples.push([now, Math.max(0, now - report.openedAt)]);
    if (this.samples.length > MAX_FLUSH_SAMPLES) this.samples.splice(0, this.samples.length - MAX_FLUSH_SAMPLES);
  }

  lastFlush(now: number): PipelineHealth['lastFlush'] {
    if (!this.last) return null;
    const { report, seenAt } = this.last;
    return {
      at: new Date(report.startedAt).toISOString(),
      ageMs: Math.max(0, now - report.startedAt),
      ratings: report.ratings,
      // Up to the moment its stats reached this instance: write, publish and the hop to the query side.
      durationMs: Math.max(0, seenAt - report.startedAt),
    };
  }

  freshness(now: number): PipelineHealth['freshness'] {
    const recent = this.samples.filter(([at]) => now - at <= MINUTE_MS).map(([, ms]) => ms);
    if (recent.length === 0) return null;
    recent.sort((a, b) => a - b);
    return { p50Ms: quantile(recent, 0.5), p99Ms: quantile(recent, 0.99), samples: recent.length };
  }
}

interface DeadLetterMessage {
  timestamp?: string;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

const text = (v: Buffer | string | (Buffer | string)[] | undefined): string =>
  v === undefined ? '' : Array.isArray(v) ? text(v[0]) : v.toString();

/** Dead letters per minute and the newest few, from the DLQ topic this instance reads from its end. */
@Injectable()
export class DeadLetterWatch {
  /** Arrival times of the last minute's dead letters, as per-second counts: [second, count]. */
  private perSecond: Array<[number, number]> = [];
  private latest: PipelineHealth['deadLetters']['latest'] = [];

  record(messages: DeadLetterMessage[], now: number): void {
    if (messages.length === 0) return;
    const second = Math.floor(now / 1000);
    const tail = this.perSecond[this.perSecond.length - 1];
    if (tail && tail[0] === second) tail[1] += messages.length;
    else this.perSecond.push([second, messages.length]);
    this.prune(now);
    for (const m of messages.slice(-LATEST_DEAD_LETTERS)) {
      const error = text(m.headers?.[DLQ_HEADERS.error]);
      const time = Number(m.timestamp);
      this.latest.unshift({
        reason: deadLetterReason(error),
        error: error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS)}…` : error,
        time: new Date(Number.isFinite(time) ? time : now).toISOString(),
      });
    }
    this.latest.length = Math.min(this.latest.length, LATEST_DEAD_LETTERS);
  }

  deadLetters(now: number): PipelineHealth['deadLetters'] {
    this.prune(now);
    return { perMinute: this.perSecond.reduce((sum, [, n]) => sum + n, 0), latest: [...this.latest] };
  }

  private prune(now: number): void {
    const from = Math.floor((now - MINUTE_MS) / 1000);
    while (this.perSecond.length && this.perSecond[0][0] <= from) this.perSecond.shift();
  }
}
