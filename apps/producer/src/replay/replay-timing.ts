export interface ReplayTimingOptions {
  /**
   * Replay speed factor: 10 means ten times faster than the original gaps. When absent (and not
   * retimed) rows are not paced by their timestamps at all.
   */
  speed?: number;
  /** Move the events to now, keeping their (scaled) gaps, instead of keeping the original times. */
  retime: boolean;
  /** Wall-clock time at which the replay started (epoch ms). */
  startedAt: number;
}

export interface Placement {
  /** The event time to write (epoch ms). */
  time: number;
  /** When the row should be sent (epoch ms); undefined = not paced, send as soon as possible. */
  dueAt?: number;
}

/**
 * Where a replayed row lands in time. The first row is sent at `startedAt`; a later row is due
 * (its timestamp − the first row's) / speed after that. MovieLens files are sorted by user, not time,
 * so a row older than one already seen is sent without waiting (pacing follows the newest timestamp
 * seen); for a true time-lapse sort the file by its timestamp column first.
 * A retimed event's time is at most its due time, so it is never in the future when sent.
 */
export class ReplayTiming {
  private first?: number;
  private newest = -Infinity;
  private readonly speed?: number;

  constructor(private readonly options: ReplayTimingOptions) {
    if (options.speed !== undefined && !(options.speed > 0)) throw new RangeError('speed must be positive');
    this.speed = options.speed ?? (options.retime ? 1 : undefined);
  }

  place(originalMs: number): Placement {
    this.first ??= originalMs;
    this.newest = Math.max(this.newest, originalMs);
    if (this.speed === undefined) return { time: originalMs };
    const { startedAt, retime } = this.options;
    const dueAt = startedAt + Math.round((this.newest - this.first) / this.speed);
    const time = retime ? startedAt + Math.round((originalMs - this.first) / this.speed) : originalMs;
    return { time, dueAt };
  }
}
