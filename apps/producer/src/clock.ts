/** Wall-clock time in epoch milliseconds; injected so pacing and event times can be tested with a fake clock. */
export abstract class Clock {
  abstract now(): number;
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}
