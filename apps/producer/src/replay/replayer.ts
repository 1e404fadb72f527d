import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { LineIssue } from '../catalogue/movies-file';
import { Pacer } from '../pacing/pacer';
import { EventPublisher } from '../publishing/event-publisher';
import { ReplayMapper } from './replay-mapper';
import { Clock, sleep } from '@reeltime/runtime';

export interface ReplayProgress {
  lines: number;
  published: number;
  bad: number;
  elapsedSeconds: number;
  /** Lines per second since the start. */
  linesPerSecond: number;
  /** Share of the file read, 0–100. */
  percent: number;
  /** Seconds left at the rate so far (by bytes); undefined until there is a rate. */
  etaSeconds?: number;
}

export interface ReplayOptions {
  file: string;
  mapper: ReplayMapper;
  publisher: EventPublisher;
  clock: Clock;
  /** An extra cap on the rate (--rate), on top of the timestamp pacing. */
  pacer?: Pacer;
  /** Stop after this many published events. */
  limit?: number;
  signal?: AbortSignal;
  progressEveryMs?: number;
  onProgress?(progress: ReplayProgress): void;
  onBadLine(issue: LineIssue): void;
}

/** Counts what a replay has read, published and skipped, and turns that into progress figures. */
class ReplayTally {
  lines = 0;
  published = 0;
  bad = 0;
  private bytes = 0;
  private readonly startedAt: number;
  private readonly totalBytes: number;

  constructor(
    file: string,
    private readonly clock: Clock,
  ) {
    this.totalBytes = Math.max(1, statSync(file).size);
    this.startedAt = clock.now();
  }

  read(line: string): void {
    this.lines += 1;
    this.bytes += Buffer.byteLength(line) + 1;
  }

  progress(): ReplayProgress {
    const elapsedSeconds = Math.max(0.001, (this.clock.now() - this.startedAt) / 1000);
    const byteRate = this.bytes / elapsedSeconds;
    return {
      lines: this.lines,
      published: this.published,
      bad: this.bad,
      elapsedSeconds,
      linesPerSecond: this.lines / elapsedSeconds,
      percent: Math.min(100, (this.bytes / this.totalBytes) * 100),
      etaSeconds: byteRate > 0 ? Math.max(0, (this.totalBytes - this.bytes) / byteRate) : undefined,
    };
  }
}

/** The header (first line, `userId,…`, perhaps after a BOM) and blank lines carry no rating. */
function isRatingLine(line: string, lineNumber: number): boolean {
  return line.length > 0 && !(lineNumber === 1 && /^\uFEFF?userId,/.test(line));
}

/**
 * Holds a rating back until it may go: its due time (timestamp pacing), a token from the --rate cap,
 * and room in the publisher; so what is in memory stays bounded by the publisher's limit.
 */
async function whenSendable(dueAt: number | undefined, options: ReplayOptions): Promise<void> {
  const { clock, pacer, publisher } = options;
  if (dueAt !== undefined) {
    const wait = dueAt - clock.now();
    if (wait >= 1) await sleep(wait);
  }
  if (pacer) {
    while (pacer.take(1) === 0) await sleep(Math.max(1, Math.ceil(pacer.msUntilAvailable())));
  }
  if (!publisher.writable) await publisher.whenWritable();
}

/** Maps one line and publishes it once it may go, or reports it with its line number and skips it. */
async function replayLine(line: string, tally: ReplayTally, options: ReplayOptions): Promise<void> {
  const mapped = options.mapper.map(line, options.clock.now());
  if (!mapped.ok) {
    tally.bad += 1;
    options.onBadLine({ file: options.file, line: tally.lines, reason: mapped.reason });
    return;
  }
  await whenSendable(mapped.dueAt, options);
  options.publisher.publish(mapped.rating);
  tally.published += 1;
}

/**
 * Streams a MovieLens ratings.csv into the publisher, line by line (readline pauses the file while
 * the loop waits, so memory stays flat whatever the file size). Bad lines are reported with their
 * line number and skipped.
 */
export async function replayRatings(options: ReplayOptions): Promise<ReplayProgress> {
  const { file, clock, signal } = options;
  const limit = options.limit ?? Infinity;
  const everyMs = options.progressEveryMs ?? 2000;
  const tally = new ReplayTally(file, clock);
  let nextReport = clock.now() + everyMs;
  const input = createReadStream(file, 'utf8');
  const reader = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of reader) {
      tally.read(line);
      if (signal?.aborted || tally.published >= limit) break;
      if (tally.lines % 1024 === 0 && clock.now() >= nextReport) {
        options.onProgress?.(tally.progress());
        nextReport = clock.now() + everyMs;
      }
      if (isRatingLine(line, tally.lines)) await replayLine(line, tally, options);
    }
  } finally {
    reader.close();
    input.destroy();
  }
  const final = tally.progress();
  options.onProgress?.(final);
  return final;
}
