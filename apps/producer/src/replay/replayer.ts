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

/**
 * Streams a MovieLens ratings.csv into the publisher, line by line (readline pauses the file while
 * the loop waits, so memory stays flat whatever the file size). Bad lines are reported with their
 * line number and skipped.
 */
export async function replayRatings(options: ReplayOptions): Promise<ReplayProgress> {
  const { file, mapper, publisher, clock, pacer, signal } = options;
  const limit = options.limit ?? Infinity;
  const totalBytes = Math.max(1, statSync(file).size);
  const startedAt = clock.now();
  let bytes = 0;
  let lines = 0;
  let published = 0;
  let bad = 0;
  let nextReport = startedAt + (options.progressEveryMs ?? 2000);

  const progress = (): ReplayProgress => {
    const elapsedSeconds = Math.max(0.001, (clock.now() - startedAt) / 1000);
    const byteRate = bytes / elapsedSeconds;
    return {
      lines,
      published,
      bad,
      elapsedSeconds,
      linesPerSecond: lines / elapsedSeconds,
      percent: Math.min(100, (bytes / totalBytes) * 100),
      etaSeconds: byteRate > 0 ? Math.max(0, (totalBytes - bytes) / byteRate) : undefined,
    };
  };

  const input = createReadStream(file, 'utf8');
  const reader = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of reader) {
      lines += 1;
      bytes += Buffer.byteLength(line) + 1;
      if (signal?.aborted || published >= limit) break;
      if (lines % 1024 === 0 && clock.now() >= nextReport) {
        options.onProgress?.(progress());
        nextReport = clock.now() + (options.progressEveryMs ?? 2000);
      }
      if (line.length === 0 || (lines === 1 && /^\uFEFF?userId,/.test(line))) continue;
      const mapped = mapper.map(line, clock.now());
      if (!mapped.ok) {
        bad += 1;
        options.onBadLine({ file, line: lines, reason: mapped.reason });
        continue;
      }
      if (mapped.dueAt !== undefined) {
        const wait = mapped.dueAt - clock.now();
        if (wait >= 1) await sleep(wait);
      }
      if (pacer) {
        while (pacer.take(1) === 0) await sleep(Math.max(1, Math.ceil(pacer.msUntilAvailable())));
      }
      if (!publisher.writable) await publisher.whenWritable();
      publisher.publish(mapped.rating);
      published += 1;
    }
  } finally {
    reader.close();
    input.destroy();
  }
  const final = progress();
  options.onProgress?.(final);
  return final;
}
