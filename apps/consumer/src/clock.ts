/** The time source, injected so batching and event-time logic can be tested with a fake clock. */
export abstract class Clock {
  abstract now(): number;
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}
