/** Decides how many events may go out now. */
export interface Pacer {
  /** Grants up to `max` events now (possibly 0). */
  take(max: number): number;
  /** Milliseconds until at least one more event may go out. */
  msUntilAvailable(): number;
}

/** No limit: as fast as the publisher accepts (the CLI's `--rate 0`). */
export class UnlimitedPacer implements Pacer {
  take(max: number): number {
    return max;
  }

  msUntilAvailable(): number {
    return 0;
  }
}
